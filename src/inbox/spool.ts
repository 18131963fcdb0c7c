import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { ReceivedMessage } from './inbox.js'

/**
 * While the database cannot take a message, it goes to an append-only local file instead, fsync'd before
 * receive() returns, and is replayed into the inbox in arrival order when the database is back. A replay
 * is idempotent: the inbox is keyed by message id, so a message that reached both is kept once.
 *
 * Files in the directory: inbox-spool.jsonl (appended to), inbox-spool.replaying.jsonl (the batch being
 * replayed: renamed from the first, so appends never race the replay), inbox-spool.rejected.jsonl (lines
 * the database refused for a reason other than being away: kept for an operator, never dropped).
 */
export class InboxSpool {
  readonly file: string
  private readonly replaying: string
  private readonly rejected: string
  private replayRun: Promise<ReplayResult> | null = null

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true })
    this.file = join(dir, 'inbox-spool.jsonl')
    this.replaying = join(dir, 'inbox-spool.replaying.jsonl')
    this.rejected = join(dir, 'inbox-spool.rejected.jsonl')
  }

  /** Appends one message durably (written and fsync'd before this returns). */
  append(m: ReceivedMessage): void {
    const fd = openSync(this.file, 'a', 0o600)
    try {
      writeSync(fd, `${JSON.stringify(m)}\n`)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  }

  /** Messages waiting to be replayed (new ones must queue behind them, to keep each chat in order). */
  hasBacklog(): boolean {
    return nonEmpty(this.replaying) || nonEmpty(this.file)
  }

  /**
   * Hands every spooled message, oldest first, to `keep` (which writes it to the inbox). Stops at the first
   * failure that `isOutage` says is the database being away, keeping that message and the rest for the next
   * replay; any other failure moves that one line to the rejected file. One replay runs at a time.
   */
  replay(keep: (m: ReceivedMessage) => Promise<void>, isOutage: (err: unknown) => boolean): Promise<ReplayResult> {
    this.replayRun ??= this.run(keep, isOutage).finally(() => { this.replayRun = null })
    return this.replayRun
  }

  private async run(keep: (m: ReceivedMessage) => Promise<void>, isOutage: (err: unknown) => boolean): Promise<ReplayResult> {
    const result: ReplayResult = { replayed: 0, rejected: 0, left: 0 }
    for (let round = 0; round < 100; round++) {
      if (!nonEmpty(this.replaying)) {
        if (!nonEmpty(this.file)) return result
        renameSync(this.file, this.replaying)
      }
      const lines = readFileSync(this.replaying, 'utf8').split('\n').filter(Boolean)
      for (let i = 0; i < lines.length; i++) {
        let m: ReceivedMessage
        try {
          m = JSON.parse(lines[i]!) as ReceivedMessage
        } catch {
          // A line torn by a crash mid-append: nothing was acknowledged for it, but it is kept for a person to read.
          appendFileSync(this.rejected, `${lines[i]}\n`)
          result.rejected++
          continue
        }
        try {
          await keep(m)
          result.replayed++
        } catch (err) {
          if (isOutage(err)) {
            this.rewrite(lines.slice(i))
            result.left = lines.length - i + (nonEmpty(this.file) ? countLines(this.file) : 0)
            return result
          }
          appendFileSync(this.rejected, `${JSON.stringify({ error: err instanceof Error ? err.message : String(err), message: m })}\n`)
          result.rejected++
        }
      }
      unlinkSync(this.replaying)
    }
    return result
  }

  /** Replaces the replaying file with what is left of it, atomically. */
  private rewrite(lines: string[]): void {
    const tmp = `${this.replaying}.tmp`
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, lines.map((l) => `${l}\n`).join(''))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, this.replaying)
  }
}

export interface ReplayResult { replayed: number; rejected: number; left: number }

const nonEmpty = (path: string) => existsSync(path) && statSync(path).size > 0
const countLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).length

/**
 * The database is away (stopped, restarting, unreachable, frozen past the timeout), as opposed to refusing
 * this message: only then is a message spooled or a replay paused.
 */
export function isDatabaseOutage(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; message?: string; driverError?: { code?: string } } | null
  const code = e?.code ?? e?.driverError?.code ?? ''
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT',
    'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'SQLITE_BUSY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_FULL', 'INBOX_TIMEOUT'].includes(code)) return true
  return /connect|connection|closed state|server has gone away|timeout|timed out|Pool is closed|not connected|Can't add new command/i.test(e?.message ?? '')
}

/** Rejects with code INBOX_TIMEOUT when the database does not answer in time (a frozen server answers nothing). */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(Object.assign(new Error(`the database did not answer within ${ms} ms`), { code: 'INBOX_TIMEOUT' })), ms)
    p.then((v) => { clearTimeout(timer); resolve(v) }, (e) => { clearTimeout(timer); reject(e) })
  })
}
