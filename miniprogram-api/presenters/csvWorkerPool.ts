import { Worker } from 'node:worker_threads'
import type { CsvWorkerDatabase } from './requestsCsvWorkers.js'

// Export workers kept between exports: starting one (tsx's loader in the thread, mysql2, a connection) took
// ~0.4 s of CPU and ~0.8 s before the first day, within every export's time.

/** how long an idle worker is kept for the next export */
export const CSV_WORKER_IDLE_MS = 60_000

const idle = new Map<string, { worker: Worker; timer: NodeJS.Timeout }[]>()
const keyOf = (database: CsvWorkerDatabase) => JSON.stringify(database)

/** An idle worker on that database, or a new one. */
export function takeCsvWorker(database: CsvWorkerDatabase): Worker {
  const kept = idle.get(keyOf(database))?.pop()
  if (kept) {
    clearTimeout(kept.timer)
    kept.worker.ref()
    return kept.worker
  }
  const worker = new Worker(new URL('./csvWorker.mjs', import.meta.url), { workerData: { database } })
  // an idle worker that ends (its connection was lost) leaves the pool
  worker.on('exit', () => drop(database, worker))
  worker.on('error', () => {})
  return worker
}

/** A worker whose export ended well, kept for the next (it does not hold the process open). */
export function keepCsvWorker(database: CsvWorkerDatabase, worker: Worker): void {
  worker.unref()
  const timer = setTimeout(() => { drop(database, worker); worker.postMessage('close') }, CSV_WORKER_IDLE_MS)
  timer.unref()
  const list = idle.get(keyOf(database)) ?? []
  list.push({ worker, timer })
  idle.set(keyOf(database), list)
}

/** How many workers are kept idle (for the tests). */
export const idleCsvWorkers = () => [...idle.values()].reduce((n, list) => n + list.length, 0)

/** Ends every idle worker (a server closing, the tests). */
export async function closeIdleCsvWorkers(): Promise<void> {
  const all = [...idle.values()].flat()
  idle.clear()
  await Promise.all(all.map(({ worker, timer }) => {
    clearTimeout(timer)
    return new Promise<void>((resolve) => { worker.once('exit', () => resolve()); worker.postMessage('close') })
  }))
}

function drop(database: CsvWorkerDatabase, worker: Worker) {
  const list = idle.get(keyOf(database))
  const at = list?.findIndex((k) => k.worker === worker) ?? -1
  if (at >= 0) { clearTimeout(list![at]!.timer); list!.splice(at, 1) }
}
