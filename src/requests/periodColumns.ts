import { utcDatetimeText } from '../time.js'

// What an export reads, and how it reads one day: no database driver or ORM here, so a worker thread can load it cheaply.

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

/** `created_at` in [lo, hi), after the cursor (lo, id): one statement text for every read. */
export const PERIOD_SELECT = `SELECT ${PERIOD_COLUMNS.map((c) => (c === 'no' ? '`no`' : c)).join(', ')} FROM requests
  WHERE community_id = ? AND created_at >= ? AND created_at < ? AND (created_at > ? OR id > ?)
  ORDER BY created_at, id LIMIT ?`

export type PeriodRead = (params: [communityId: number, lo: string, hi: string, lo2: string, id: number, limit: number]) => Promise<PeriodTuple[]>

/** One day's rows, by keyset, the next read sent before a batch is yielded. */
export async function* dayBatches(read: PeriodRead, communityId: number, lo: number, hi: number, batchSize: number): AsyncGenerator<PeriodTuple[]> {
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
