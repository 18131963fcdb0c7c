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

const textMs = (text: string) => Date.parse(`${text.replace(' ', 'T')}Z`)

/**
 * The requests a community received in [from, to), oldest first, in batches read by keyset on
 * (created_at, id) over ix_requests_created: memory holds two batches (the one yielded and the next, read
 * while the caller works on it), and no connection or transaction is held between reads. Each read also
 * stops at a horizon a few days past the cursor: with only `created_at < to`, MariaDB's planner turns
 * `ORDER BY … LIMIT` into a scan of the community's index entries from the start (a year's export went
 * quadratic); a narrow range it reads as a range.
 */
export async function* requestsCreatedIn(db: DataSource, q: PeriodRowsQuery): AsyncGenerator<PeriodTuple[]> {
  const read = reader(db)
  const batchSize = q.batchSize ?? 2000
  const to = q.to.getTime()
  let span = DAY
  const next = (at: string, atMs: number, id: number) => {
    const horizon = Math.min(to, atMs + span)
    const p = read([q.communityId, at, utcDatetimeText(new Date(horizon)), at, id, batchSize])
    p.catch(() => {}) // awaited below; if the caller stops first, a failure here must not go unhandled
    return { p, horizon }
  }
  let pending: { p: Promise<PeriodTuple[]>; horizon: number } | null = next(utcDatetimeText(q.from), q.from.getTime(), 0)
  while (pending) {
    const rows = await pending.p
    const horizon = pending.horizon
    if (rows.length === batchSize) {
      const last = rows[rows.length - 1]!
      const at = String(last[AT.created_at])
      pending = next(at, textMs(at), Number(last[AT.id]))
    } else if (horizon < to) {
      // Everything before the horizon is read: go on from it (rows at the horizon itself included), further each time.
      span = Math.min(span * 2, 32 * DAY)
      pending = next(utcDatetimeText(new Date(horizon)), horizon, 0)
    } else pending = null
    if (rows.length) yield rows
  }
}
