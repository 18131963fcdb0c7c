import { utcDatetimeText } from '../time.js'
import { AT, dayBatches, PERIOD_COLUMNS, PERIOD_SELECT, type PeriodTuple } from './periodColumns.js'

// A day of an export read along the primary key: no driver or ORM here (the export's worker threads load it).

/** Any statement of this module, its rows as arrays (DATETIMEs as UTC text). */
export type SqlRead = (sql: string, params: unknown[]) => Promise<PeriodTuple[]>

/** A day's lowest id, highest id and row count, from ix_requests_created alone (it holds the id). */
export const DAY_ID_SPAN = `SELECT MIN(id), MAX(id), COUNT(*) FROM requests WHERE community_id = ? AND created_at >= ? AND created_at < ?`

/** The day's rows after an id, up to its highest, in id order. */
export const DAY_SELECT_BY_ID = `SELECT ${PERIOD_COLUMNS.map((c) => (c === 'no' ? '`no`' : c)).join(', ')} FROM requests
  WHERE id > ? AND id <= ? AND community_id = ? AND created_at >= ? AND created_at < ?
  ORDER BY id LIMIT ?`

/** ids in a day's span per row of the day, above which the span is read by keyset instead (other rows fill it) */
const SPAN_PER_ROW = 2

/**
 * One day's rows, [lo, hi) in epoch ms, in (created_at, id) order, batch by batch to `rows`. Requests are
 * numbered as they are created, so a day's ids usually run in created_at order: the day is then read along the
 * primary key, a range of whole pages, where reading by ix_requests_created costs a lookup of each row in the
 * primary key (a third of MariaDB's time for a year's export). A row that breaks the order (a request written
 * with an earlier created_at) is noticed as the rows arrive: `restart()` is called, the rows given so far are to
 * be dropped, and the day is read again by keyset. A span holding many other rows (other communities') goes by
 * keyset from the start.
 */
export async function readDay(read: SqlRead, q: { communityId: number; lo: number; hi: number; batchSize: number },
  rows: (batch: PeriodTuple[]) => void, restart: () => void): Promise<void> {
  const lo = utcDatetimeText(new Date(q.lo)), hi = utcDatetimeText(new Date(q.hi))
  const [span] = await read(DAY_ID_SPAN, [q.communityId, lo, hi])
  const count = Number(span?.[2] ?? 0)
  if (count === 0) return
  const first = Number(span![0]), last = Number(span![1])
  if (last - first + 1 <= count * SPAN_PER_ROW && await inIdOrder(read, q, first, last, lo, hi, rows)) return
  restart()
  for await (const batch of dayBatches((p) => read(PERIOD_SELECT, p), q.communityId, q.lo, q.hi, q.batchSize)) rows(batch)
}

/** The span's rows in id order, false as soon as one's created_at is below the one before it. */
async function inIdOrder(read: SqlRead, q: { communityId: number; batchSize: number }, first: number, last: number, lo: string, hi: string,
  rows: (batch: PeriodTuple[]) => void): Promise<boolean> {
  const send = (after: number) => {
    const p = read(DAY_SELECT_BY_ID, [after, last, q.communityId, lo, hi, q.batchSize])
    p.catch(() => {})
    return p
  }
  let before = ''
  let pending: Promise<PeriodTuple[]> | null = send(first - 1)
  while (pending) {
    const batch: PeriodTuple[] = await pending
    const end = batch.length === q.batchSize ? batch[batch.length - 1]! : null
    pending = end ? send(Number(end[AT.id])) : null
    for (const r of batch) {
      // DATETIME(3) text of one shape on both databases: text order is time order
      const at = r[AT.created_at] as string
      if (at < before) { await pending?.catch(() => {}); return false }
      before = at
    }
    if (batch.length) rows(batch)
  }
  return true
}
