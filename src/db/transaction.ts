import type { DataSource, EntityManager } from 'typeorm'
import { dialectOf } from './dataSource.js'

const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>()

/** How many times a MySQL transaction that lost a deadlock or timed out on a lock is run again. */
export const TRANSACTION_RETRIES = 6

/** MySQL/MariaDB: the server rolled the transaction back (deadlock) or gave up waiting for a row lock. */
export function isRetryableLockError(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; driverError?: { code?: string; errno?: number } } | null
  const codes = [e?.code, e?.driverError?.code]
  const errnos = [e?.errno, e?.driverError?.errno]
  return codes.includes('ER_LOCK_DEADLOCK') || codes.includes('ER_LOCK_WAIT_TIMEOUT') || errnos.includes(1213) || errnos.includes(1205)
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Runs fn in one transaction. better-sqlite3 has a single connection, so SQLite
 * transactions are queued here instead of failing with "transaction within a transaction".
 * On MySQL a transaction chosen as a deadlock victim or timed out on a lock is run again from the start,
 * a bounded number of times with a short random pause, so lock contention never surfaces as an error;
 * fn must therefore only write through em (anything else it does may happen more than once).
 * Pass an existing manager to join its transaction (the outermost one retries).
 */
export async function inTransaction<T>(db: DataSource | EntityManager, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  if (!('manager' in db) || !('initialize' in db)) {
    const em = db as EntityManager
    return em.queryRunner?.isTransactionActive ? fn(em) : retrying(() => em.transaction(fn))
  }
  const ds = db as DataSource
  if (dialectOf(ds) !== 'sqlite') return retrying(() => ds.transaction(fn))
  const previous = sqliteQueues.get(ds) ?? Promise.resolve()
  const run = previous.catch(() => undefined).then(() => ds.transaction(fn))
  sqliteQueues.set(ds, run.catch(() => undefined))
  return run
}

/**
 * Runs fn outside any transaction, each statement committing on its own: for a single write (the inbox insert)
 * that needs no BEGIN/COMMIT round trips. On SQLite it still waits its turn in the queue above, since better-sqlite3's
 * one connection would otherwise run it inside whichever queued transaction is open (and roll it back with it).
 */
export async function autocommit<T>(db: DataSource, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  if (dialectOf(db) !== 'sqlite') return fn(db.manager)
  const previous = sqliteQueues.get(db) ?? Promise.resolve()
  const run = previous.catch(() => undefined).then(() => fn(db.manager))
  sqliteQueues.set(db, run.catch(() => undefined))
  return run
}

async function retrying<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run()
    } catch (err) {
      if (attempt > TRANSACTION_RETRIES || !isRetryableLockError(err)) throw err
      await pause(Math.random() * 20 * 2 ** attempt)
    }
  }
}
