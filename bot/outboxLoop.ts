import type { Logger } from '../src/logger.js'
import type { OutboxWorker } from '../src/outbox/worker.js'

export interface OutboxLoopOptions {
  worker: OutboxWorker
  logger: Logger
  /** Only drain while this is true (the bot is logged in); rows wait in the outbox meanwhile. */
  isReady: () => boolean
  /** Wake-up interval; the worker's throttles decide what actually goes out. */
  intervalMs?: number
}

/**
 * Drains the outbox on a timer. On start, rows a crashed process left in 'sending' go back to pending.
 * Errors are logged and the loop keeps going.
 */
export class OutboxLoop {
  private timer: NodeJS.Timeout | null = null
  private running = false
  private stopped = true
  private current: Promise<void> = Promise.resolve()

  constructor(private readonly o: OutboxLoopOptions) {}

  async start(): Promise<void> {
    if (!this.stopped) return
    this.stopped = false
    try {
      const recovered = await this.o.worker.recoverStaleClaims()
      if (recovered) this.o.logger.warn({ recovered }, 'outbox rows left in sending by a previous process were put back to pending')
    } catch (err) {
      this.o.logger.error({ err: (err as Error).message }, 'outbox stale-claim recovery failed')
    }
    this.schedule(0)
  }

  /** Wake now (e.g. right after login or after writing something urgent). */
  poke(): void {
    if (!this.stopped && !this.running) this.schedule(0)
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.current
  }

  private schedule(ms: number) {
    if (this.stopped) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => { this.current = this.tick() }, ms)
    this.timer.unref?.()
  }

  private async tick(): Promise<void> {
    this.timer = null
    this.running = true
    try {
      if (this.o.isReady()) await this.o.worker.drain()
    } catch (err) {
      this.o.logger.error({ err: (err as Error).message }, 'outbox drain failed')
    } finally {
      this.running = false
      this.schedule(this.o.intervalMs ?? 1000)
    }
  }
}
