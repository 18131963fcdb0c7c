import { parentPort, workerData } from 'node:worker_threads'
import { readDay, type SqlRead } from '../../src/requests/periodById.js'
import { knownLocalHours } from '../../src/time.js'
import { csvRowWriterWith } from './csvRows.js'
import { LineBytes } from './lineBytes.js'
import type { CsvWorkerData, DayJob, DayResult } from './requestsCsvWorkers.js'

// One worker of a CSV export: reads whole days on a connection of its own and returns each day's lines as UTF-8 bytes.

const data = workerData as CsvWorkerData
const port = parentPort!
const hours = knownLocalHours(data.context.timeZone)
for (const [k, v] of data.localHours) hours.set(k, v)
let handedBack = hours.size
const row = csvRowWriterWith(data.context, data.ratingNames)

/** the hours worked out since the last result, for the parent to keep for the next export */
function newHours(): [string, string | null][] | undefined {
  if (hours.size < handedBack) handedBack = 0 // the cache was cleared
  if (hours.size === handedBack) return undefined
  const added = [...hours].slice(handedBack)
  handedBack = hours.size
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
  conn.on('error', () => {}) // a lost connection fails the read in hand, reported below
  closeConnection = () => conn.end(() => {})
  return (sql, p) => new Promise((resolve, reject) => {
    conn.query({ sql, values: p, rowsAsArray: true, dateStrings: true }, (err, rows) => (err ? reject(err) : resolve(rows as unknown[][])))
  })
}

const reader = openReader()
let queue: Promise<void> = Promise.resolve()

async function writeDay(job: DayJob): Promise<DayResult> {
  const read = await reader
  try {
    const q = { communityId: data.communityId, lo: job.lo, hi: job.hi, batchSize: data.batchSize }
    await readDay(read, q, (rows) => { for (const r of rows) lines.push(row(r)) }, () => lines.take())
  } catch (err) {
    lines.take() // a failed day's lines are dropped, not written before the next day's
    throw err
  }
  return { day: job.day, bytes: lines.take(), localHours: newHours() }
}

// Days one after another: the first asked is the first the response needs. 'end': the file is written, close.
port.on('message', (job: DayJob | 'end') => {
  if (job === 'end') {
    void queue.then(() => reader).then(() => closeConnection(), () => {}).finally(() => port.close())
    return
  }
  queue = queue.then(async () => {
    try {
      const result = await writeDay(job)
      port.postMessage(result, [result.bytes!.buffer as ArrayBuffer])
    } catch (err) {
      port.postMessage({ day: job.day, error: err instanceof Error ? err.message : String(err) } satisfies DayResult)
    }
  })
})
