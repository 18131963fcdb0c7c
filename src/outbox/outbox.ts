import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { OutboxMessage, type OutboxChannel } from '../db/entities/index.js'
import { rawInsert } from '../db/insertRows.js'

export const PRIORITY = { urgent: 0, normal: 5, digest: 8 } as const

export interface OutboxDraft {
  /** Unique per notification: enqueuing the same key twice is a no-op. */
  dedupeKey: string
  channel: OutboxChannel
  /** room topic, WeChat name, or mini-program openid */
  target: string
  text: string
  mentions?: string[]
  payload?: Record<string, unknown>
  priority?: number
  requestId?: number | null
  /** Send no earlier than this (defaults to now). */
  notBefore?: Date
}

/** Writes outgoing messages in the caller's transaction, so they exist exactly when the change that causes them does. */
export async function enqueue(em: EntityManager, clock: Clock, drafts: OutboxDraft[]): Promise<void> {
  if (!drafts.length) return
  const now = clock.now()
  // One raw INSERT IGNORE (src/db/insertRows.ts rawInsert): a key enqueued before is skipped, as orIgnore() did.
  await rawInsert(em, em.connection.getMetadata(OutboxMessage), drafts.map((d) => ({
    dedupeKey: d.dedupeKey.slice(0, 191),
    channel: d.channel,
    target: d.target,
    text: d.text,
    mentions: d.mentions ?? null,
    payload: d.payload ?? null,
    priority: d.priority ?? PRIORITY.normal,
    status: 'pending' as const,
    attempts: 0,
    nextAttemptAt: d.notBefore ?? now,
    claimedAt: null,
    lastError: null,
    requestId: d.requestId ?? null,
    createdAt: now,
  })), 'ignore')
}
