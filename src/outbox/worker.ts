import type { DataSource } from 'typeorm'
import { In, LessThanOrEqual } from 'typeorm'
import type { Clock } from '../clock.js'
import { dialectOf } from '../db/dataSource.js'
import { OutboxMessage, type OutboxChannel } from '../db/entities/index.js'
import { inTransaction } from '../db/transaction.js'
import type { Logger } from '../logger.js'

/** One outgoing channel (WeChat rooms, WeChat DMs, mini-program subscribe messages). Throws to ask for a retry. */
export interface OutboundSender {
  send(message: OutboxMessage): Promise<void>
}
export type Senders = Partial<Record<OutboxChannel, OutboundSender>>

/** A permanent failure (unknown contact, template rejected): retrying will not help. */
export class PermanentSendError extends Error {}

export interface ThrottleOptions {
  /** at most one message per this many ms to the same chat */
  perChatIntervalMs: number
  /** at most this many messages a minute overall */
  perMinute: number
}

export interface OutboxWorkerOptions {
  db: DataSource
  clock: Clock
  senders: Senders
  logger: Logger
  throttle: ThrottleOptions
  maxAttempts?: number
  batchSize?: number
}

const STALE_CLAIM_MS = 5 * 60_000

/** Backoff after a failed send: 5 s, 10 s, 20 s … capped at 30 min. */
export const backoffMs = (attempts: number) => Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 30 * 60_000)

/**
 * Sends pending outbox rows. Claims them atomically (FOR UPDATE SKIP LOCKED on MySQL; SQLite has one writer),
 * respects per-chat and global throttles on the injected clock, retries with backoff, and gives up after maxAttempts.
 */
export class OutboxWorker {
  private lastSentToChat = new Map<string, number>()
  private sentTimes: number[] = []
  private readonly maxAttempts: number
  private readonly batchSize: number

  constructor(private readonly o: OutboxWorkerOptions) {
    this.maxAttempts = o.maxAttempts ?? 8
    this.batchSize = o.batchSize ?? 20
  }

  /** The channels this worker has a sender for (and so claims). */
  private get channels(): OutboxChannel[] {
    const channels = (Object.keys(this.o.senders) as OutboxChannel[]).filter((c) => this.o.senders[c])
    return channels.length ? channels : ['__none__' as OutboxChannel]
  }

  /** Rows left in 'sending' by a crashed process go back to pending (a crash mid-send may resend that one row). */
  async recoverStaleClaims(): Promise<number> {
    const cutoff = new Date(this.o.clock.now().getTime() - STALE_CLAIM_MS)
    const r = await this.o.db.createQueryBuilder().update(OutboxMessage).set({ status: 'pending', claimedAt: null })
      .where('status = :s AND claimed_at <= :cutoff', { s: 'sending', cutoff }).execute()
    return r.affected ?? 0
  }

  private throttled(target: string, now: number, planned: Set<string>, plannedCount: number): boolean {
    const { perChatIntervalMs, perMinute } = this.o.throttle
    this.sentTimes = this.sentTimes.filter((t) => now - t < 60_000)
    if (this.sentTimes.length + plannedCount >= perMinute) return true
    if (planned.has(target)) return perChatIntervalMs > 0
    const last = this.lastSentToChat.get(target)
    return last !== undefined && now - last < perChatIntervalMs
  }

  /** Forgets chats whose interval has passed, so a long-running worker does not keep every chat it ever wrote to. */
  private pruneLastSent(now: number): void {
    const { perChatIntervalMs } = this.o.throttle
    for (const [chat, at] of this.lastSentToChat) if (now - at >= perChatIntervalMs) this.lastSentToChat.delete(chat)
  }

  /** Claims what may be sent now. */
  private async claim(): Promise<OutboxMessage[]> {
    const { db, clock } = this.o
    const now = clock.now()
    this.pruneLastSent(now.getTime())
    return inTransaction(db, async (em) => {
      const qb = em.getRepository(OutboxMessage).createQueryBuilder('o')
        .where('o.status = :pending AND o.next_attempt_at <= :now', { pending: 'pending', now })
        // A worker claims only the channels it can send, so the bot's worker and the mini-program's can share the outbox.
        .andWhere('o.channel IN (:...channels)', { channels: this.channels })
        .orderBy('o.priority', 'ASC').addOrderBy('o.id', 'ASC').limit(this.batchSize * 5)
      if (dialectOf(db) === 'mysql') qb.setLock('pessimistic_write').setOnLocked('skip_locked')
      const candidates = await qb.getMany()
      const chosen: OutboxMessage[] = []
      const planned = new Set<string>()
      const blocked = new Set<string>()
      for (const m of candidates) {
        const chat = `${m.channel}:${m.target}`
        // Keep each chat's messages in order: once one is held back, later ones to that chat wait too.
        if (blocked.has(chat) || this.throttled(chat, now.getTime(), planned, chosen.length)) { blocked.add(chat); continue }
        planned.add(chat)
        chosen.push(m)
        if (chosen.length >= this.batchSize) break
      }
      if (!chosen.length) return []
      await em.createQueryBuilder().update(OutboxMessage).set({ status: 'sending', claimedAt: now })
        .where({ id: In(chosen.map((m) => m.id)), status: 'pending' }).execute()
      return chosen
    })
  }

  /** One pass: claim, send, record. Returns how many were sent. */
  async drainOnce(): Promise<number> {
    const { db, clock, senders, logger } = this.o
    const batch = await this.claim()
    let sent = 0
    for (const m of batch) {
      const chat = `${m.channel}:${m.target}`
      const now = clock.now()
      const sender = senders[m.channel]
      try {
        if (!sender) throw new Error(`no sender configured for channel ${m.channel}`)
        await sender.send(m)
        this.lastSentToChat.set(chat, now.getTime())
        this.sentTimes.push(now.getTime())
        await db.getRepository(OutboxMessage).update({ id: m.id }, { status: 'sent', sentAt: clock.now(), attempts: m.attempts + 1, lastError: null })
        sent++
      } catch (err) {
        const attempts = m.attempts + 1
        const dead = err instanceof PermanentSendError || attempts >= this.maxAttempts
        const error = err instanceof Error ? err.message : String(err)
        logger.warn({ outboxId: m.id, channel: m.channel, target: m.target, attempts, dead, err: error }, 'outbox send failed')
        await db.getRepository(OutboxMessage).update({ id: m.id }, {
          status: dead ? 'dead' : 'pending', attempts, lastError: error.slice(0, 2000), claimedAt: null,
          nextAttemptAt: new Date(now.getTime() + backoffMs(attempts)),
        })
      }
    }
    return sent
  }

  /** Sends until nothing more is sendable right now. */
  async drain(maxPasses = 100): Promise<number> {
    let total = 0
    for (let i = 0; i < maxPasses; i++) {
      const n = await this.drainOnce()
      total += n
      if (n === 0) break
    }
    return total
  }

  /** Rows that are due but were held back (throttled) — the caller may wait and drain again. */
  async pendingDue(): Promise<number> {
    return this.o.db.getRepository(OutboxMessage).count({ where: { status: 'pending', channel: In(this.channels), nextAttemptAt: LessThanOrEqual(this.o.clock.now()) } })
  }
}
