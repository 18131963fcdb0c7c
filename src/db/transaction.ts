import { AsyncLocalStorage } from 'node:async_hooks'
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
  // 1467 (ER_AUTOINC_READ_FAILED): how MariaDB reports a deadlock met by INSERT … SELECT on an AUTO_INCREMENT
  // table (two first-time senders' residents, whose NOT EXISTS reads share a gap); the transaction is rolled back.
  return codes.includes('ER_LOCK_DEADLOCK') || codes.includes('ER_LOCK_WAIT_TIMEOUT') || codes.includes('ER_AUTOINC_READ_FAILED')
    || errnos.includes(1213) || errnos.includes(1205) || errnos.includes(1467)
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
  const one = joining.getStore()
  if (one?.db === ds && one.em) return joined(one, fn)
  const hooks = transactionHooks.getStore()
  const attempt = !hooks ? () => ds.transaction(fn) : () => {
    let undo: (() => void) | void
    return ds.transaction(async (em) => { undo = await hooks.begin(em); return fn(em) }).catch((err: unknown) => { undo?.(); throw err })
  }
  if (dialectOf(ds) !== 'sqlite') return retrying(attempt)
  const previous = sqliteQueues.get(ds) ?? Promise.resolve()
  const run = previous.catch(() => undefined).then(attempt)
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
  const one = joining.getStore()
  if (one?.db === db && one.em) return fn(one.em) // inside inOneTransaction the queue waits for it: the one connection is in it
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

/** The transaction of inOneTransaction, which the first inTransaction on its data source joins. */
interface OneTransaction { db: DataSource; em: EntityManager | null; joined: boolean; spoiled: unknown }
const joining = new AsyncLocalStorage<OneTransaction>()

/** inOneTransaction could not keep its promise: everything it did was rolled back (run the work the usual way). */
export class NotOneTransaction extends Error {
  constructor(readonly why: unknown) { super(`not one transaction: ${why instanceof Error ? why.message : String(why)}`) }
}

async function joined<T>(one: OneTransaction, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  // A second transaction, or a failed first one (its writes are not undone alone), spoils the whole: rolled back.
  if (one.joined) { one.spoiled ??= new Error('a second transaction'); throw new NotOneTransaction(one.spoiled) }
  one.joined = true
  try {
    return await fn(one.em!)
  } catch (err) {
    one.spoiled ??= err
    throw err
  }
}

/**
 * Runs `fn` in one transaction that the first inTransaction(db, …) inside it joins (no BEGIN/COMMIT of its own),
 * so that a step before it (the inbox row) commits with it. Anything that cannot be one transaction — a second
 * inTransaction, one that throws (even when fn catches it), a lock conflict — rolls everything back and throws
 * NotOneTransaction; the caller then does the work the usual way. No retries here: that way retries.
 */
export async function inOneTransaction<T>(db: DataSource, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  const body = async (em: EntityManager) => {
    const one: OneTransaction = { db, em, joined: false, spoiled: undefined }
    try {
      const result = await joining.run(one, () => fn(em))
      if (one.spoiled !== undefined) throw new NotOneTransaction(one.spoiled)
      return result
    } finally {
      one.em = null // anything started inside that runs on later opens a transaction of its own
    }
  }
  if (dialectOf(db) !== 'sqlite') return db.transaction(body)
  const previous = sqliteQueues.get(db) ?? Promise.resolve()
  const run = previous.catch(() => undefined).then(() => db.transaction(body))
  sqliteQueues.set(db, run.catch(() => undefined))
  return run
}

export interface TransactionHooks {
  /** First thing in every transaction fn opens (the bot's unsaved inbox row is written here); what to undo in memory when it rolls back. */
  begin(em: EntityManager): Promise<(() => void) | void>
}
const transactionHooks = new AsyncLocalStorage<TransactionHooks>()

/** Runs fn with `hooks` around every transaction it opens with inTransaction on a data source. */
export function withTransactionHooks<T>(hooks: TransactionHooks, fn: () => Promise<T>): Promise<T> {
  return transactionHooks.run(hooks, fn)
}
