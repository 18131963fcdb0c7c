import { createHash, randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { DataSource } from 'typeorm'
import { dialectOf } from '../db/dataSource.js'
import { inTransaction } from '../db/transaction.js'
import { execute, toSqlTime } from './sql.js'

/** What withJobLock returns when another run holds the lock: the run is skipped, not queued. */
export interface LockSkipped {
  acted: 0
  skipped: true
  details: { reason: 'locked' }
}
export const LOCK_SKIPPED: LockSkipped = Object.freeze({ acted: 0, skipped: true, details: Object.freeze({ reason: 'locked' }) }) as LockSkipped

export interface JobLockOptions {
  /** SQLite lease length; a crashed holder's lease expires after this. Default 10 minutes. */
  leaseMs?: number
  /** Real time for the lease (not the virtual clock: a lease guards against dead processes). */
  now?: () => Date
}

/** A holder id unique to one run: host, process and a random suffix. */
export const newLockHolder = () => `${hostname().slice(0, 60)}:${process.pid}:${randomUUID().slice(0, 8)}`

/**
 * Runs fn while holding the job's database lock, so that of several service instances (or two overlapping
 * runs) exactly one does the work. If the lock is taken the run is skipped: `{ acted: 0, skipped: true }`.
 *
 * MySQL/MariaDB: `GET_LOCK(name, 0)` on one dedicated connection (a QueryRunner kept for the whole run),
 * released with `RELEASE_LOCK` on that same connection; the server also frees it if the connection dies.
 * SQLite: a lease row in `job_state` claimed by a guarded UPDATE (free or expired) and cleared afterwards.
 */
export async function withJobLock<T>(db: DataSource, name: string, holder: string, fn: () => Promise<T>, opts: JobLockOptions = {}): Promise<T | LockSkipped> {
  return dialectOf(db) === 'mysql' ? withMysqlLock(db, name, fn) : withSqliteLease(db, name, holder, fn, opts)
}

/** GET_LOCK names are server-wide: namespace them by database, and keep them within MySQL's 64 characters. */
function mysqlLockName(db: DataSource, name: string): string {
  const database = String((db.options as { database?: string }).database ?? '')
  const full = `jiesu:${database}:job:${name}`
  return full.length <= 64 ? full : `jiesu:${createHash('sha256').update(full).digest('hex').slice(0, 40)}`
}

async function withMysqlLock<T>(db: DataSource, name: string, fn: () => Promise<T>): Promise<T | LockSkipped> {
  const runner = db.createQueryRunner()
  await runner.connect()
  const lockName = mysqlLockName(db, name)
  try {
    const rows: { got: number | string | null }[] = await runner.query('SELECT GET_LOCK(?, 0) AS got', [lockName])
    if (Number(rows[0]?.got) !== 1) return LOCK_SKIPPED
    try {
      return await fn()
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined)
    }
  } finally {
    await runner.release()
  }
}

async function withSqliteLease<T>(db: DataSource, name: string, holder: string, fn: () => Promise<T>, opts: JobLockOptions): Promise<T | LockSkipped> {
  const now = (opts.now ?? (() => new Date()))()
  const expires = toSqlTime(new Date(now.getTime() + (opts.leaseMs ?? 10 * 60_000)))
  const claim = 'UPDATE job_state SET lock_holder = ?, lock_expires_at = ? WHERE name = ? AND (lock_holder IS NULL OR lock_expires_at IS NULL OR lock_expires_at < ?)'
  const params = [holder, expires, name, toSqlTime(now)]
  // Queued through inTransaction: better-sqlite3 has one connection shared with every other transaction.
  const claimed = await inTransaction(db, async (em) => {
    if (await execute(em, claim, params)) return true
    await execute(em, 'INSERT OR IGNORE INTO job_state (name) VALUES (?)', [name])
    return (await execute(em, claim, params)) === 1
  })
  if (!claimed) return LOCK_SKIPPED
  try {
    return await fn()
  } finally {
    await inTransaction(db, (em) => execute(em, 'UPDATE job_state SET lock_holder = NULL, lock_expires_at = NULL WHERE name = ? AND lock_holder = ?', [name, holder]))
      .catch(() => undefined)
  }
}

export const isLockSkipped = (v: unknown): v is LockSkipped => v === LOCK_SKIPPED
