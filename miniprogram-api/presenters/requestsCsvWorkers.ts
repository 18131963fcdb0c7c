import { Readable } from 'node:stream'
import type { Worker } from 'node:worker_threads'
import type { DataSource } from 'typeorm'
import { dialectOf } from '../../src/db/dataSource.js'
import type { PeriodRowsQuery } from '../../src/requests/periodRows.js'
import { RATING_NAMES } from '../../src/requests/feedback.js'
import { knownLocalHours } from '../../src/time.js'
import { BOM, HEADER, type CsvContext } from './csvRows.js'
import { keepCsvWorker, takeCsvWorker } from './csvWorkerPool.js'

/** How a worker opens its own connection: mysql2's options, or the SQLite file read-only. */
export type CsvWorkerDatabase =
  | { kind: 'mysql'; host: string; port: number; user: string; password: string; database: string; charset: string }
  | { kind: 'sqlite'; file: string }

/** what a worker starts with: the database it reads */
export interface CsvWorkerData { database: CsvWorkerDatabase }
/** what a worker is told at the start of each export */
export interface CsvExport {
  communityId: number
  batchSize: number
  context: CsvContext
  ratingNames: Record<string, string>
  /** the local hours this thread already knows for the community's zone */
  localHours: Map<string, string | null>
}
/** one day of the period, [lo, hi) in epoch ms */
export interface DayJob { day: number; lo: number; hi: number }
export type CsvWorkerMessage = { export: CsvExport } | DayJob | 'close'
/** a day's lines, with the local hours the worker had to work out since its last result */
export interface DayResult { day: number; bytes?: Uint8Array; error?: string; localHours?: [string, string | null][] }

const DAY = 86_400_000
/**
 * workers per export: on 2 cores shared with MariaDB, a third fills the gaps while the others wait for a day's
 * first reads (a 365-day export of 1M rows: ~4.6 s against ~5.0 s with two, back to back)
 */
export const CSV_WORKERS = 3
/** rows per read in a worker: most days in one or two (fewer statements for MariaDB: ~10% less of its CPU than 2,000) */
const CSV_WORKER_BATCH = 5000
/** days asked for and not yet written, per worker: one being read, one waiting (memory: a few days' text) */
const DAYS_PER_WORKER = 2

/** The connection a worker can open to the same database, or null (an in-memory SQLite database has no other connection). */
export function csvWorkerDatabase(db: DataSource): CsvWorkerDatabase | null {
  const o = db.options as unknown as Record<string, unknown>
  if (dialectOf(db) === 'sqlite') return o.database && o.database !== ':memory:' ? { kind: 'sqlite', file: String(o.database) } : null
  if (o.replication) return null
  return {
    kind: 'mysql', host: String(o.host ?? '127.0.0.1'), port: Number(o.port ?? 3306), user: String(o.username ?? ''),
    password: String(o.password ?? ''), database: String(o.database ?? ''), charset: String(o.charset ?? 'utf8mb4_unicode_ci'),
  }
}

/**
 * The same file as requestsCsvChunks(requestsCreatedIn(…)), read and written by worker threads: each worker takes
 * whole days on a connection of its own and returns a day's lines as one buffer; the days are written strictly in
 * order, at most DAYS_PER_WORKER per worker asked ahead of the response (backpressure: no more are asked while the
 * client is slow). At 1M rows one thread spent its time parsing and formatting rows; this spreads it over cores.
 * Workers come from csvWorkerPool and go back to it once the file is written. A worker's failure ends the stream
 * with an error; destroying the stream (the client went away) stops the workers, which are not kept.
 */
export function requestsCsvInWorkers(database: CsvWorkerDatabase, q: PeriodRowsQuery, c: CsvContext, opts: { workers?: number } = {}): Readable {
  const from = q.from.getTime(), to = q.to.getTime()
  const days = Math.max(0, Math.ceil((to - from) / DAY))
  const count = Math.min(opts.workers ?? CSV_WORKERS, days)
  const job: CsvExport = { communityId: q.communityId, batchSize: q.batchSize ?? CSV_WORKER_BATCH, context: c, ratingNames: RATING_NAMES, localHours: knownLocalHours(c.timeZone) }
  const done = new Map<number, Uint8Array>()
  let asked = 0, written = 0, wanted = false, ended = false
  const workers: { worker: Worker; busy: number; release: () => void }[] = []

  const stream = new Readable({
    read() { wanted = true; flush() },
    destroy(err, cb) {
      // the end (workers close their connections and exit) or an abort or failure (workers are stopped mid-read)
      if (written === days && !err) return cb(null)
      ended = true
      Promise.allSettled(workers.map((w) => w.worker.terminate())).then(() => cb(err), () => cb(err))
    },
  })
  const fail = (message: string) => { if (!ended) stream.destroy(new Error(`CSV export: ${message}`)) }

  const ask = () => {
    while (!ended && asked < days && asked - written < count * DAYS_PER_WORKER) {
      const w = workers.reduce((a, b) => (b.busy < a.busy ? b : a))
      const lo = from + asked * DAY
      w.worker.postMessage({ day: asked, lo, hi: Math.min(to, lo + DAY) } satisfies DayJob)
      w.busy++
      asked++
    }
  }
  const flush = () => {
    while (wanted && !ended && done.has(written)) {
      const bytes = done.get(written)!
      done.delete(written)
      written++
      if (bytes.length) wanted = stream.push(bytes)
      ask()
    }
    if (!ended && written === days) {
      ended = true
      stream.push(null)
      // every day asked was answered: the workers are idle, kept for the next export
      for (const w of workers) { w.release(); keepCsvWorker(database, w.worker) }
    }
  }

  stream.push(BOM + HEADER + '\r\n')
  for (let i = 0; i < count; i++) {
    const worker = takeCsvWorker(database)
    const w = { worker, busy: 0, release: () => {} }
    const onMessage = (r: DayResult) => {
      w.busy--
      if (r.error !== undefined || !r.bytes) return fail(`reading day ${r.day} failed: ${r.error}`)
      if (r.localHours) { const hours = knownLocalHours(c.timeZone); for (const [k, v] of r.localHours) hours.set(k, v) }
      done.set(r.day, r.bytes)
      flush()
    }
    const onError = (err: Error) => fail(`a worker failed: ${err.message}`)
    const onExit = (code: number) => { if (!ended) fail(`a worker exited with code ${code} before the file was written`) }
    worker.on('message', onMessage).on('error', onError).on('exit', onExit)
    w.release = () => { worker.off('message', onMessage).off('error', onError).off('exit', onExit) }
    worker.postMessage({ export: job } satisfies CsvWorkerMessage)
    workers.push(w)
  }
  ask()
  if (days === 0) flush()
  return stream
}

/** Exports on worker threads at once in this process; more run on the main thread (each holds CSV_WORKERS workers and connections). */
export const MAX_EXPORTS_IN_WORKERS = 2
let exportsInWorkers = 0

/** A place for one more export on worker threads, or null when MAX_EXPORTS_IN_WORKERS are running; release it once. */
export function takeCsvWorkerSlot(): (() => void) | null {
  if (exportsInWorkers >= MAX_EXPORTS_IN_WORKERS) return null
  exportsInWorkers++
  let released = false
  return () => { if (!released) { released = true; exportsInWorkers-- } }
}
