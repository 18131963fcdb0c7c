import { parentPort, workerData } from 'node:worker_threads'
import { readDay, type SqlRead } from '../../src/requests/periodById.js'
import type { PeriodTuple } from '../../src/requests/periodColumns.js'
import { knownLocalHours } from '../../src/time.js'
import { csvRowWriterWith } from './csvRows.js'
import { LineBytes } from './lineBytes.js'
import type { CsvExport, CsvWorkerData, CsvWorkerMessage, DayJob, DayResult } from './requestsCsvWorkers.js'

// One worker of CSV exports: reads whole days on a connection of its own and returns each day's lines as UTF-8
// bytes. It serves one export after another (kept idle between them by the parent, connection open).

const data = workerData as CsvWorkerData
const port = parentPort!

/** the export being written: its rows' writer and the local hours handed back so far */
let current: { job: CsvExport; row: (r: PeriodTuple) => string; hours: Map<string, string | null>; handedBack: number } | null = null

function start(job: CsvExport) {
  const hours = knownLocalHours(job.context.timeZone)
  for (const [k, v] of job.localHours) hours.set(k, v)
  current = { job, row: csvRowWriterWith(job.context, job.ratingNames), hours, handedBack: hours.size }
}

/** the hours worked out since the last result, for the parent to keep for the next export */
function newHours(): [string, string | null][] | undefined {
  const c = current!
  if (c.hours.size < c.handedBack) c.handedBack = 0 // the cache was cleared
  if (c.hours.size === c.handedBack) return undefined
  const added = [...c.hours].slice(c.handedBack)
  c.handedBack = c.hours.size
  return added
}
/** one writer for the worker: each day's buffer starts near the size of the last */
const lines = new LineBytes()

/** what closes the worker's connection, once its reads are done */
let closeConnection = () => {}

async function openReader(): Promise<SqlRead> {
  if (data.database.kind === 'sqlite') {
    const { default: Database } = await import('better-sqlite3')
    const conn = new Database(data.database.file, { readonly: true, fileMustExist: true })
    conn.pragma('busy_timeout = 5000')
    closeConnection = () => conn.close()
    const statements = new Map<string, { all(...p: unknown[]): unknown[] }>()
    const prepared = (sql: string) => statements.get(sql) ?? statements.set(sql, conn.prepare(sql.replace(/`/g, '"')).raw(true)).get(sql)!
    // integers bound as INTEGER (a JS number binds as REAL, which LIMIT refuses)
    return async (sql, p) => prepared(sql).all(...p.map((v) => (typeof v === 'number' ? BigInt(v) : v))) as unknown[][]
  }
  const { default: mysql } = await import('mysql2')
  const { kind: _kind, ...options } = data.database
  const conn = mysql.createConnection({ ...options, timezone: 'Z' })
  // a lost connection fails the read in hand (reported below); idle, the worker ends and leaves the parent's pool
  conn.on('error', () => { if (!busy) process.exit(1) })
  closeConnection = () => conn.end(() => {})
  return (sql, p) => new Promise((resolve, reject) => {
    conn.query({ sql, values: p, rowsAsArray: true, dateStrings: true }, (err, rows) => (err ? reject(err) : resolve(rows as unknown[][])))
  })
}

const reader = openReader()
let queue: Promise<void> = Promise.resolve()
/** days asked and not yet answered */
let busy = 0

async function writeDay(job: DayJob): Promise<DayResult> {
  const read = await reader
  try {
    const { job: { communityId, batchSize }, row } = current!
    await readDay(read, { communityId, batchSize, lo: job.lo, hi: job.hi }, (rows) => { for (const r of rows) lines.push(row(r)) }, () => lines.take())
  } catch (err) {
    lines.take() // a failed day's lines are dropped, not written before the next day's
    throw err
  }
  return { day: job.day, bytes: lines.take(), localHours: newHours() }
}

// An export's start, then its days one after another (the first asked is the first the response needs).
// 'close': the parent no longer keeps this worker.
port.on('message', (m: CsvWorkerMessage) => {
  if (m === 'close') {
    void queue.then(() => reader).then(() => closeConnection(), () => {}).finally(() => port.close())
    return
  }
  if ('export' in m) { const job = m.export; queue = queue.then(() => start(job)); return }
  busy++
  queue = queue.then(async () => {
    try {
      const result = await writeDay(m)
      port.postMessage(result, [result.bytes!.buffer as ArrayBuffer])
    } catch (err) {
      port.postMessage({ day: m.day, error: err instanceof Error ? err.message : String(err) } satisfies DayResult)
    } finally {
      busy--
    }
  })
})
