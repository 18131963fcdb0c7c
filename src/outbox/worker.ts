import type { DataSource } from 'typeorm'
import { Brackets, In, LessThanOrEqual } from 'typeorm'
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
  /** A claim older than this is taken to be dead (its worker crashed): another worker, or this one, resumes it. */
  claimLeaseMs?: number
}

export const CLAIM_LEASE_MS = 60_000
const CLAIMED = ['sending', 'sent'] as const

/** Backoff after a failed send: 5 s, 10 s, 20 s … capped at 30 min. */
export const backoffMs = (attempts: number) => Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 30 * 60_000)

/**
 * Sends pending outbox rows. Claims them atomically (one claim at a time across workers: a row lock on MySQL,
 * the single writer on SQLite), with a lease: a row left in 'sending' longer than the lease is claimed again.
 * The throttles hold across workers because they are read from the outbox itself — what was claimed in the
 * last minute, and when each chat was last claimed for — on the injected clock. Retries with backoff and
 * gives up after maxAttempts.
 */
export class OutboxWorker {
  private readonly maxAttempts: number
  private readonly batchSize: number
  private readonly leaseMs: number

  constructor(private readonly o: OutboxWorkerOptions) {
    this.maxAttempts = o.maxAttempts ?? 8
    this.batchSize = o.batchSize ?? 20
    this.leaseMs = o.claimLeaseMs ?? CLAIM_LEASE_MS
  }

  /** The channels this worker has a sender for (and so claims). */
  private get channels(): OutboxChannel[] {
    const channels = (Object.keys(this.o.senders) as OutboxChannel[]).filter((c) => this.o.senders[c])
    return channels.length ? channels : ['__none__' as OutboxChannel]
  }

  /** Rows left in 'sending' past the lease go back to pending (a crash mid-send may resend that one row). */
  async recoverStaleClaims(): Promise<number> {
    const cutoff = new Date(this.o.clock.now().getTime() - this.leaseMs)
    const r = await this.o.db.createQueryBuilder().update(OutboxMessage).set({ status: 'pending', claimedAt: null })
      .where('status = :s AND claimed_at <= :cutoff', { s: 'sending', cutoff }).execute()
    return r.affected ?? 0
  }

  /** Claims what may be sent now: due rows and expired claims, within the per-minute and per-chat budgets. */
  private async claim(): Promise<OutboxMessage[]> {
    const { db, clock, throttle } = this.o
    const now = clock.now()
    const t = now.getTime()
    return inTransaction(db, async (em) => {
      const mysql = dialectOf(db) === 'mysql'
      // Claims are serialised across workers, so two cannot both spend the same budget.
      if (mysql) {
        await em.query("INSERT IGNORE INTO job_state (name) VALUES ('outbox_claim')")
        await em.query("SELECT name FROM job_state WHERE name = 'outbox_claim' FOR UPDATE")
      }
      const recent = await em.getRepository(OutboxMessage).createQueryBuilder('o')
        .where('o.claimed_at > :since AND o.status IN (:...claimed)', { since: new Date(t - 60_000), claimed: CLAIMED }).getCount()
      const budget = throttle.perMinute - recent
      if (budget <= 0) return []
      const qb = em.getRepository(OutboxMessage).createQueryBuilder('o')
        .where(new Brackets((w) => w
          .where('o.status = :pending AND o.next_attempt_at <= :now', { pending: 'pending', now })
          .orWhere('o.status = :sending AND o.claimed_at <= :expired', { sending: 'sending', expired: new Date(t - this.leaseMs) })))
        // A worker claims only the channels it can send, so the bot's worker and the mini-program's can share the outbox.
        .andWhere('o.channel IN (:...channels)', { channels: this.channels })
        .orderBy('o.priority', 'ASC').addOrderBy('o.id', 'ASC').limit(this.batchSize * 5)
      if (mysql) qb.setLock('pessimistic_write').setOnLocked('skip_locked')
      const candidates = await qb.getMany()
      if (!candidates.length) return []
      // Chats claimed for within the interval, by any worker.
      const busy = new Set<string>()
      if (throttle.perChatIntervalMs > 0) {
        const rows = await em.getRepository(OutboxMessage).createQueryBuilder('o').select(['o.channel AS channel', 'o.target AS target'])
          .where('o.claimed_at > :since AND o.status IN (:...claimed)', { since: new Date(t - throttle.perChatIntervalMs), claimed: CLAIMED })
          .andWhere('o.target IN (:...targets)', { targets: [...new Set(candidates.map((m) => m.target))] })
          .getRawMany<{ channel: string; target: string }>()
        for (const r of rows) busy.add(`${r.channel}:${r.target}`)
      }
      const chosen: OutboxMessage[] = []
      const planned = new Set<string>()
      const blocked = new Set<string>()
      for (const m of candidates) {
        const chat = `${m.channel}:${m.target}`
        // Keep each chat's messages in order: once one is held back, later ones to that chat wait too.
        const held = busy.has(chat) || (planned.has(chat) && throttle.perChatIntervalMs > 0)
        if (blocked.has(chat) || held) { blocked.add(chat); continue }
        planned.add(chat)
        chosen.push(m)
        if (chosen.length >= Math.min(this.batchSize, budget)) break
      }
      if (!chosen.length) return []
      await em.createQueryBuilder().update(OutboxMessage).set({ status: 'sending', claimedAt: now })
        .where({ id: In(chosen.map((m) => m.id)) }).execute()
      return chosen.map((m) => Object.assign(m, { status: 'sending' as const, claimedAt: now }))
    })
  }

  /** One pass: claim, send, record. Returns how many were sent. */
  async drainOnce(): Promise<number> {
    const { db, clock, senders, logger } = this.o
    const batch = await this.claim()
    let sent = 0
    for (const m of batch) {
      const now = clock.now()
      const sender = senders[m.channel]
      try {
        if (!sender) throw new Error(`no sender configured for channel ${m.channel}`)
        await sender.send(m)
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
