import { randomUUID } from 'node:crypto'
import type { Context } from 'koa'
import { InboxMessage, ServiceRequest } from '../../../src/db/entities/index.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { ConflictError, DomainError } from '../../../src/errors.js'
import type { EntityManager } from 'typeorm'
import type { ApiDeps } from '../../deps.js'
import { idempotencyKey } from './schema.js'

/** Intake said "this is chatter" and the resident chose no category: ask them to describe the problem. */
export class NotARequestError extends DomainError {
  constructor() {
    super('not_a_request', '没有识别出需要处理的问题。请具体描述一下遇到了什么问题、在哪里（例如：3号楼2单元楼道灯坏了），或选择问题类型后再提交。', 422)
  }
}

export type Received =
  | { kind: 'new'; inbox: InboxMessage }
  | { kind: 'replay'; inbox: InboxMessage; request: ServiceRequest | null }

/** The Idempotency-Key header, validated; a random one when absent (each submission is then its own message). */
export function idempotencyKeyOf(ctx: Context): string {
  const raw = ctx.get('idempotency-key')
  if (!raw) return `auto-${randomUUID()}`
  const parsed = idempotencyKey.safeParse(raw)
  if (!parsed.success) throw new DomainError('validation_failed', 'Idempotency-Key 格式有误', 400, { header: 'Idempotency-Key' })
  return parsed.data
}

/** A submission still pending this long after it was taken up was abandoned by a crash. */
export const INBOX_CLAIM_LEASE_MS = 60_000

const isUniqueViolation = (e: unknown) => /UNIQUE|Duplicate entry|ER_DUP_ENTRY/i.test(String((e as Error)?.message ?? ''))

/**
 * Keeps the submission in the inbox first ("a message received is a message kept"), keyed by
 * resident + Idempotency-Key: the same key again is a replay, answered with what the first one produced.
 */
export async function receive(deps: ApiDeps, p: { residentId: number; key: string; text: string; payload: Record<string, unknown> }): Promise<Received> {
  const where = { channel: 'miniprogram' as const, messageId: `mp:${p.residentId}:${p.key}` }
  const repo = deps.db.getRepository(InboxMessage)
  let inbox = await repo.findOne({ where })
  if (!inbox) {
    try {
      return {
        kind: 'new',
        inbox: await inTransaction(deps.db, (em) => em.save(InboxMessage, em.create(InboxMessage, {
          ...where, kind: 'text', senderId: `resident:${p.residentId}`, text: p.text, payload: p.payload,
          status: 'pending', attempts: 1, receivedAt: deps.clock.now(), claimedAt: deps.clock.now(),
        }))),
      }
    } catch (e) {
      if (!isUniqueViolation(e)) throw e // else: the same key is being submitted concurrently
      inbox = await repo.findOneOrFail({ where })
    }
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

export async function markFailed(deps: ApiDeps, inboxId: number, err: unknown): Promise<void> {
  const message = err instanceof DomainError ? `${err.code}: ${err.message}` : err instanceof Error ? `${err.name}: ${err.message}` : String(err)
  await inTransaction(deps.db, (em) => em.update(InboxMessage, { id: inboxId }, { status: 'failed', error: message.slice(0, 2000), processedAt: deps.clock.now() }))
    .catch((e) => deps.logger.error({ err: e, inboxId }, 'could not mark inbox message failed'))
}

export type Outcome = 'created' | 'attached' | 'chatter'

/** Marks the inbox row processed, remembering what it produced, inside the caller's transaction. */
export async function markProcessed(em: EntityManager, deps: ApiDeps, inboxId: number, requestId: number | null, outcome: Outcome): Promise<void> {
  const row = await em.findOneOrFail(InboxMessage, { where: { id: inboxId } })
  row.status = 'processed'
  row.requestId = requestId
  row.processedAt = deps.clock.now()
  row.error = null
  row.payload = { ...(row.payload ?? {}), outcome }
  await em.save(InboxMessage, row)
}
