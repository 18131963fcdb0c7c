import type { ServiceRequest } from '../../src/db/entities/index.js'
import { PERIOD_COLUMNS, type PeriodTuple } from '../../src/requests/periodRows.js'
import { RATING_NAMES } from '../../src/requests/feedback.js'
import { utcDatetimeText } from '../../src/time.js'
import { BOM, csvRowWriterWith, HEADER, type CsvContext } from './csvRows.js'

export { BOM, csvField, csvLine, CSV_HEADERS, SOURCE_NAMES, type CsvContext } from './csvRows.js'

/**
 * Writes one row's line (no line end): the cells straight from the driver's arrays, dates from their UTC text,
 * each name escaped once per export, only the resident's text and the 办结说明 masked.
 */
export const csvRowWriter = (c: CsvContext) => csvRowWriterWith(c, RATING_NAMES)

/** A request as entities hold it (the tests' and any in-memory caller's shape). */
export type PeriodRow = Pick<ServiceRequest, 'id' | 'no' | 'source' | 'category' | 'urgency' | 'status' | 'building' | 'unit' | 'roomNo' | 'gridId'
  | 'assigneeStaffId' | 'originalText' | 'dispatchedAt' | 'acceptedAt' | 'resolvedAt' | 'closedAt' | 'acceptDueAt' | 'resolveDueAt' | 'resolutionNote'
  | 'rating' | 'reopenCount' | 'needsTriage' | 'createdAt'>

const camel = (c: string) => c.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase())
/** An entity-shaped row as the driver would have returned it. */
export function periodTupleOf(r: PeriodRow): PeriodTuple {
  return PERIOD_COLUMNS.map((c) => {
    const v = (r as unknown as Record<string, unknown>)[camel(c)]
    return v instanceof Date ? utcDatetimeText(v) : typeof v === 'boolean' ? Number(v) : v ?? null
  })
}

/** The whole file: BOM, header row, one row per request, CRLF line ends. */
export function requestsCsv(rows: PeriodRow[], c: CsvContext): string {
  const row = csvRowWriter(c)
  const lines = [HEADER, ...rows.map((r) => row(periodTupleOf(r)))]
  return BOM + lines.join('\r\n') + '\r\n'
}

const ROWS_PER_CHUNK = 1000

/** The same file as chunks of up to ROWS_PER_CHUNK rows, for streaming to the response. */
export async function* requestsCsvChunks(batches: AsyncIterable<PeriodTuple[]>, c: CsvContext): AsyncGenerator<string> {
  const row = csvRowWriter(c)
  yield BOM + HEADER + '\r\n'
  for await (const rows of batches) {
    // ~250 KB a chunk whatever the batch: a few large strings cost more to flatten and encode than many small ones
    for (let i = 0; i < rows.length; i += ROWS_PER_CHUNK) {
      let chunk = ''
      for (let j = i; j < Math.min(rows.length, i + ROWS_PER_CHUNK); j++) chunk += row(rows[j]!) + '\r\n'
      yield chunk
    }
  }
}
