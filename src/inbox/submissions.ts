import type { DataSource, EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { InboxMessage, ServiceRequest } from '../db/entities/index.js'
import { dialectOf } from '../db/dataSource.js'
import { inTransaction } from '../db/transaction.js'
import { insertRows } from '../db/insertRows.js'
import { updateRow } from '../db/updateRow.js'
import { ConflictError, DomainError } from '../errors.js'
import type { Logger } from '../logger.js'
import { markProcessed as markRowProcessed } from './inbox.js'

/**
 * Submissions through the mini-program API, kept in the inbox under resident + Idempotency-Key: the same key
 * again is a replay, answered with what the first one produced. The row is marked processed in intake's own
 * transaction, so a pending row filed nothing: once its claim is older than the lease (a crash), a retry runs it.
 */
interface Deps { db: DataSource; clock: Clock; logger: Logger }

export type Received =
  | { kind: 'new'; inbox: InboxMessage }
  | { kind: 'replay'; inbox: InboxMessage; request: ServiceRequest | null }

/** A submission still pending this long after it was taken up was abandoned by a crash. */
export const INBOX_CLAIM_LEASE_MS = 60_000

const isUniqueViolation = (e: unknown) => /UNIQUE|Duplicate entry|ER_DUP_ENTRY/i.test(String((e as Error)?.message ?? ''))

/**
 * Keeps the submission in the inbox first ("a message received is a message kept"), keyed by
 * resident + Idempotency-Key: the same key again is a replay, answered with what the first one produced.
 */
export async function receive(deps: Deps, p: { residentId: number; key: string; text: string; payload: Record<string, unknown> }): Promise<Received> {
  const where = { channel: 'miniprogram' as const, messageId: `mp:${p.residentId}:${p.key}` }
  const repo = deps.db.getRepository(InboxMessage)
  let inbox: InboxMessage
  // The row is written first (a new key is the common case): its unique key tells a repeated key, then read.
  try {
    return { kind: 'new', inbox: await keep(deps, repo.create({
      ...where, kind: 'text', roomTopic: null, roomId: null, senderName: null, senderId: `resident:${p.residentId}`, text: p.text, payload: p.payload,
      status: 'pending', attempts: 1, error: null, requestId: null, receivedAt: deps.clock.now(), processedAt: null, claimedAt: deps.clock.now(),
    })) }
  } catch (e) {
    if (!isUniqueViolation(e)) throw e // else: the same key again, or submitted concurrently
    inbox = await repo.findOneOrFail({ where })
  }
  // The first try failed (bad input, an outage), or died mid-way and left the row pending past the lease (the
  // row is marked processed in intake's own transaction, so such a row filed nothing): a retry runs again.
  const now = deps.clock.now()
  const abandoned = inbox.status === 'pending' && (inbox.claimedAt ?? inbox.receivedAt).getTime() <= now.getTime() - INBOX_CLAIM_LEASE_MS
  if (inbox.status === 'failed' || abandoned) {
    const id = inbox.id
    const claimed = await inTransaction(deps.db, (em) => em.createQueryBuilder().update(InboxMessage)
      .set({ status: 'pending', attempts: inbox!.attempts + 1, error: null, text: p.text, payload: p.payload as never, claimedAt: now })
      .where('id = :id AND status = :status AND attempts = :attempts', { id, status: inbox!.status, attempts: inbox!.attempts }).execute())
    if (claimed.affected) return { kind: 'new', inbox: await repo.findOneOrFail({ where: { id } }) }
    inbox = await repo.findOneOrFail({ where: { id } })
  }
  if (inbox.status === 'pending') throw new ConflictError('request_in_progress', '这条反映正在提交中，请稍候刷新查看')
  const request = inbox.requestId != null ? await deps.db.getRepository(ServiceRequest).findOne({ where: { id: inbox.requestId } }) : null
  return { kind: 'replay', inbox, request }
}

/**
 * Writes the new row. MySQL: one INSERT on its own (autocommit), nothing read back (every column is set here but
 * the id). SQLite's one connection is shared, so its write waits its turn in a transaction.
 */
async function keep(deps: Deps, row: InboxMessage): Promise<InboxMessage> {
  if (dialectOf(deps.db) === 'sqlite') return inTransaction(deps.db, (em) => em.save(InboxMessage, row))
  return (await insertRows(deps.db.manager, InboxMessage, [row]))[0]!
}

export async function markFailed(deps: Deps, inboxId: number, err: unknown): Promise<void> {
  const message = err instanceof DomainError ? `${err.code}: ${err.message}` : err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  await inTransaction(deps.db, (em) => em.update(InboxMessage, { id: inboxId }, { status: 'failed', error: message.slice(0, 2000), processedAt: deps.clock.now() }))
    .catch((e) => deps.logger.error({ err: e, inboxId }, 'could not mark inbox message failed'))
}

export type Outcome = 'created' | 'attached' | 'chatter'

/**
 * Marks the inbox row processed, remembering what it produced, inside the caller's transaction. Given the row as
 * receive() returned it (its payload is this submission's own: nothing else writes a row it claimed), one UPDATE.
 */
export async function markProcessed(em: EntityManager, deps: Pick<Deps, 'clock'>, inbox: number | Pick<InboxMessage, 'id' | 'payload'>, requestId: number | null, outcome: Outcome): Promise<void> {
  if (typeof inbox === 'number') return markRowProcessed(em, deps.clock, { id: inbox, requestId: null }, requestId, { outcome })
  await updateRow(em, InboxMessage, inbox.id, { status: 'processed', processedAt: deps.clock.now(), requestId, error: null, payload: { ...(inbox.payload ?? {}), outcome } as never })
}
