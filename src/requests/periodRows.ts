import type { DataSource } from 'typeorm'
import { dialectOf } from '../db/dataSource.js'
import { utcDatetimeText } from '../time.js'

/**
 * The columns an export reads, in the order of each row's cells. Rows are read straight through the driver
 * under TypeORM (mysql2's pool, better-sqlite3's connection) as arrays, DATETIMEs as their UTC text: at 1M rows
 * entity hydration, per-row objects and Date parsing were most of the CSV's time.
 */
export const PERIOD_COLUMNS = [
  'id', 'no', 'source', 'category', 'urgency', 'status', 'building', 'unit', 'room_no', 'grid_id', 'assignee_staff_id', 'original_text',
  'dispatched_at', 'accepted_at', 'resolved_at', 'closed_at', 'accept_due_at', 'resolve_due_at', 'resolution_note', 'rating', 'reopen_count',
  'needs_triage', 'created_at',
] as const
export type PeriodColumn = (typeof PERIOD_COLUMNS)[number]

/**
 * One request as the driver returns it, cells in PERIOD_COLUMNS order: DATETIMEs as UTC text
 * ('2026-11-23 01:00:00.000'), ints as numbers, the boolean as 0/1, text as strings, NULL as null.
 */
export type PeriodTuple = readonly unknown[]

/** Where each column sits in a PeriodTuple. */
export const AT = Object.fromEntries(PERIOD_COLUMNS.map((c, i) => [c, i])) as Record<PeriodColumn, number>

export interface PeriodRowsQuery {
  communityId: number
  from: Date
  to: Date
  /** rows per read (default 2,000) */
  batchSize?: number
}

const DAY = 86_400_000

/** `created_at` in [lo, hi), after the cursor (lo, id): one statement text for every read. */
const SELECT = `SELECT ${PERIOD_COLUMNS.map((c) => (c === 'no' ? '`no`' : c)).join(', ')} FROM requests
  WHERE community_id = ? AND created_at >= ? AND created_at < ? AND (created_at > ? OR id > ?)
  ORDER BY created_at, id LIMIT ?`

type Read = (params: [communityId: number, lo: string, hi: string, lo2: string, id: number, limit: number]) => Promise<PeriodTuple[]>

/** The driver's own connection pool (MySQL) or connection (SQLite): rows as arrays, dates as text, outside any transaction. */
function reader(db: DataSource): Read {
  if (dialectOf(db) === 'sqlite') {
    const conn = (db.driver as unknown as { databaseConnection: { prepare(sql: string): { raw(on: boolean): { all(...p: unknown[]): unknown[][] } } } }).databaseConnection
    const statement = conn.prepare(SELECT.replace(/`/g, '"')).raw(true)
    // integers bound as INTEGER (a JS number binds as REAL, which LIMIT refuses)
    return async (p) => statement.all(...p.map((v) => (typeof v === 'number' ? BigInt(v) : v)))
  }
  type Pool = { query(o: object, cb: (err: Error | null, rows: unknown) => void): void }
  const pool = (db.driver as unknown as { pool?: Pool }).pool
  if (!pool) throw new Error('requestsCreatedIn: the MySQL driver has no connection pool (replication is not supported)')
  return (p) => new Promise((resolve, reject) => {
    pool.query({ sql: SELECT, values: p, rowsAsArray: true, dateStrings: true }, (err, rows) => (err ? reject(err) : resolve(rows as PeriodTuple[])))
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

/** One day's rows, by keyset, the next read sent before a batch is yielded. */
async function* dayBatches(read: Read, communityId: number, lo: number, hi: number, batchSize: number): AsyncGenerator<PeriodTuple[]> {
  const end = utcDatetimeText(new Date(hi))
  const send = (at: string, id: number) => {
    const p = read([communityId, at, end, at, id, batchSize])
    p.catch(() => {})
    return p
  }
  let pending: Promise<PeriodTuple[]> | null = send(utcDatetimeText(new Date(lo)), 0)
  while (pending) {
    const rows: PeriodTuple[] = await pending
    const last = rows.length === batchSize ? rows[rows.length - 1]! : null
    pending = last ? send(String(last[AT.created_at]), Number(last[AT.id])) : null
    if (rows.length) yield rows
  }
}
