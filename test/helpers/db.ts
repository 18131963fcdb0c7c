import { randomBytes } from 'node:crypto'
import { describe } from 'vitest'
import type { DataSource } from 'typeorm'
import { createDataSource, openDatabase } from '../../src/db/dataSource.js'
import { importCommunityFile } from '../../src/community/import.js'

export const TEST_KEY = 'test-encryption-key-0123456789abcdef'
export type DbKind = 'sqlite' | 'mysql'

/** SQLite always; MySQL/MariaDB too when TEST_DATABASE_URL=mysql://… is set. */
export function databaseKinds(): DbKind[] {
  return process.env.TEST_DATABASE_URL?.startsWith('mysql') ? ['sqlite', 'mysql'] : ['sqlite']
}

/** Runs a suite once per available database. */
export function describeEachDb(name: string, fn: (kind: DbKind) => void) {
  for (const kind of databaseKinds()) describe(`${name} [${kind}]`, () => fn(kind))
}

/** A fresh, migrated database: in-memory SQLite, or a new uniquely named MySQL database dropped on close. */
export async function openTestDb(kind: DbKind, opts: { migrate?: boolean } = {}): Promise<{ db: DataSource; url: string; close: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const url = 'sqlite::memory:'
    const db = await openDatabase(url, { migrate: opts.migrate })
    return { db, url, close: () => db.destroy() }
  }
  const server = new URL(process.env.TEST_DATABASE_URL!)
  const name = `jiesu_t_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = createDataSource(server.toString())
  await admin.initialize()
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  server.pathname = `/${name}`
  const url = server.toString()
  try {
    const db = await openDatabase(url, { migrate: opts.migrate })
    return {
      db, url,
      close: async () => {
        await db.destroy().catch(() => undefined)
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``)
        await admin.destroy()
      },
    }
  } catch (e) {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``)
    await admin.destroy()
    throw e
  }
}

/** The shipped sample community (幸福里社区) imported into db. Returns its id. */
export async function seedSampleCommunity(db: DataSource): Promise<number> {
  const s = await importCommunityFile(db, 'examples/community.yaml', { encryptionKey: TEST_KEY })
  return s.communityId
}
