import type { DataSource, EntityManager } from 'typeorm'
import { dialectOf } from './dataSource.js'

const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>()

/**
 * Runs fn in one transaction. better-sqlite3 has a single connection, so SQLite
 * transactions are queued here instead of failing with "transaction within a transaction".
 * Pass an existing manager to join its transaction.
 */
export async function inTransaction<T>(db: DataSource | EntityManager, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  if (!('manager' in db) || !('initialize' in db)) {
    const em = db as EntityManager
    return em.queryRunner?.isTransactionActive ? fn(em) : em.transaction(fn)
  }
  const ds = db as DataSource
  if (dialectOf(ds) !== 'sqlite') return ds.transaction(fn)
  const previous = sqliteQueues.get(ds) ?? Promise.resolve()
  const run = previous.catch(() => undefined).then(() => ds.transaction(fn))
  sqliteQueues.set(ds, run.catch(() => undefined))
  return run
}
