// The database a benchmark runs on, and what every benchmark shares. DATABASE_URL unset (or sqlite:) → a temporary
// SQLite file, removed at the end; mysql://…/jiesu_bench_<x> → that database, dropped and re-created (any other name
// is refused, so a real database is never touched) unless `keep` says what it holds will do.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mysql from 'mysql2/promise'
import type { DataSource } from 'typeorm'
import { openDatabase } from '../src/db/dataSource.js'
import type { FileStorage } from '../src/storage/index.js'

export const BENCH_KEY = 'bench-encryption-key-0123456789abcdef'
export const BENCH_JWT = 'bench-jwt-secret-0123456789abcdef-0123456789'
/** Benchmarks keep no files. */
export const noFiles: FileStorage = { put: async () => undefined, get: async () => null, delete: async () => undefined }

export interface BenchDb { db: DataSource; url: string; cleanup: () => Promise<void> }

export async function openBenchDb(o: { keep?: (db: DataSource) => Promise<boolean> } = {}): Promise<BenchDb> {
  const given = process.env.DATABASE_URL
  if (!given || given.startsWith('sqlite:')) {
    const dir = mkdtempSync(join(tmpdir(), 'jiesu-bench-'))
    const url = `sqlite:${join(dir, 'bench.db')}`
    const db = await openDatabase(url)
    return { db, url, cleanup: async () => { await db.destroy(); rmSync(dir, { recursive: true, force: true }) } }
  }
  const u = new URL(given)
  const name = u.pathname.slice(1)
  if (!/^jiesu_bench\w*$/.test(name)) throw new Error(`DATABASE_URL must name a database jiesu_bench…: it is dropped and re-created (got "${name}")`)
  const opened = async (): Promise<BenchDb> => {
    const db = await openDatabase(given, { poolSize: 20 })
    return { db, url: given, cleanup: async () => { await db.destroy() } }
  }
  if (o.keep) {
    try {
      const kept = await opened()
      if (await o.keep(kept.db)) return kept
      await kept.db.destroy()
    } catch { /* not there yet: created below */ }
  }
  const admin = await mysql.createConnection({ host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) })
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``)
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  await admin.end()
  return opened()
}
