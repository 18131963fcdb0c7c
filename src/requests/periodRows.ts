import type { DataSource } from 'typeorm'
import { dialectOf } from '../db/dataSource.js'
import { dayBatches, PERIOD_SELECT, type PeriodRead, type PeriodTuple } from './periodColumns.js'

export { AT, PERIOD_COLUMNS, type PeriodColumn, type PeriodTuple } from './periodColumns.js'

export interface PeriodRowsQuery {
  communityId: number
  from: Date
  to: Date
  /** rows per read (default 2,000) */
  batchSize?: number
}

const DAY = 86_400_000

/** The driver's own connection pool (MySQL) or connection (SQLite): rows as arrays, dates as text, outside any transaction. */
function reader(db: DataSource): PeriodRead {
  if (dialectOf(db) === 'sqlite') {
    const conn = (db.driver as unknown as { databaseConnection: { prepare(sql: string): { raw(on: boolean): { all(...p: unknown[]): unknown[][] } } } }).databaseConnection
    const statement = conn.prepare(PERIOD_SELECT.replace(/`/g, '"')).raw(true)
    // integers bound as INTEGER (a JS number binds as REAL, which LIMIT refuses)
    return async (p) => statement.all(...p.map((v) => (typeof v === 'number' ? BigInt(v) : v)))
  }
  type Pool = { query(o: object, cb: (err: Error | null, rows: unknown) => void): void }
  const pool = (db.driver as unknown as { pool?: Pool }).pool
  if (!pool) throw new Error('requestsCreatedIn: the MySQL driver has no connection pool (replication is not supported)')
  return (p) => new Promise((resolve, reject) => {
    pool.query({ sql: PERIOD_SELECT, values: p, rowsAsArray: true, dateStrings: true }, (err, rows) => (err ? reject(err) : resolve(rows as unknown[][])))
  })
}

/**
 * The requests a community received in [from, to), oldest first, in batches. The period is read a day at a
 * time, each day by keyset on (created_at, id) over ix_requests_created, and the next day's reads start while
 * this day's rows are yielded: two reads in flight on two pooled connections, so the database works while the
 * caller formats. Memory holds at most four batches (the one yielded, the next read, the next day's first two)
 * whatever the period; no connection or transaction is held between reads. A day's range is also what MariaDB's
 * planner reads as a range: with only `created_at < to`, it turned `ORDER BY … LIMIT` into a scan of the
 * community's index entries from the start (a year's export went quadratic).
 */
export async function* requestsCreatedIn(db: DataSource, q: PeriodRowsQuery): AsyncGenerator<PeriodTuple[]> {
  const read = reader(db)
  const batchSize = q.batchSize ?? 2000
  const from = q.from.getTime(), to = q.to.getTime()
  const start = (day: number) => {
    const gen = dayBatches(read, q.communityId, from + day * DAY, Math.min(to, from + (day + 1) * DAY), batchSize)
    const first = gen.next()
    first.catch(() => {}) // awaited below; if the caller stops first, a failure here must not go unhandled
    return { gen, first }
  }
  const days = Math.ceil((to - from) / DAY)
  const ahead: ReturnType<typeof start>[] = []
  let current: ReturnType<typeof start> | undefined
  try {
    for (let day = 0; day < days; day++) {
      while (ahead.length < 1 + DAYS_AHEAD && day + ahead.length < days) ahead.push(start(day + ahead.length))
      current = ahead.shift()!
      for (let r = await current.first; !r.done; r = await current.gen.next()) yield r.value
    }
  } finally {
    // stopped early (the client went away): let the days in hand finish their reads and end
    for (const { gen } of [...(current ? [current] : []), ...ahead]) gen.return(undefined).catch(() => {})
  }
}

/** days whose reads start before the current one is done: one is enough to keep the database busy (three measured no faster) */
const DAYS_AHEAD = 1
