import type { EntityManager } from 'typeorm'
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js'
import type { Clock } from '../clock.js'
import { dialectOf } from '../db/dataSource.js'
import { ServiceRequest, type Channel, type RequestEvent } from '../db/entities/index.js'
import { NotFoundError } from '../errors.js'
import { recordEvent, type Actor } from './events.js'
import { IllegalTransitionError, TRANSITIONS, type RequestAction } from './stateMachine.js'

export interface TransitionProps {
  requestId: number
  action: RequestAction
  actor: Actor
  channel: Channel
  /** Other columns changed together with the status. */
  set?: QueryDeepPartialEntity<ServiceRequest>
  /** Stored on the event (reason, note, rating …). */
  data?: Record<string, unknown>
}

export interface TransitionResult {
  request: ServiceRequest
  event: RequestEvent
  fromStatus: string
}

/**
 * The one way a request changes status. The UPDATE is guarded by `status IN (allowed)`, so of two
 * concurrent actors exactly one wins; the loser gets IllegalTransitionError and nothing changes.
 * Must run inside a transaction (the event and any outbox rows commit with the change).
 */
export async function transition(em: EntityManager, clock: Clock, p: TransitionProps): Promise<TransitionResult> {
  const rule = TRANSITIONS[p.action]
  const before = await lockRequest(em, p.requestId)
  const now = clock.now()
  const result = await em.createQueryBuilder()
    .update(ServiceRequest)
    .set({ ...(p.set ?? {}), status: rule.to, updatedAt: now })
    .where('id = :id AND status IN (:...from)', { id: p.requestId, from: rule.from })
    .execute()
  if (!result.affected) {
    const current = await em.findOne(ServiceRequest, { where: { id: p.requestId } })
    throw new IllegalTransitionError(before.no, (current ?? before).status, p.action)
  }
  const request = (await em.findOne(ServiceRequest, { where: { id: p.requestId } }))!
  const event = await recordEvent(em, clock, {
    requestId: p.requestId, type: p.action, actor: p.actor, channel: p.channel,
    fromStatus: before.status, toStatus: rule.to, data: p.data ?? null,
  })
  return { request, event, fromStatus: before.status }
}

/**
 * Locks the request row for the rest of the transaction (MySQL `SELECT … FOR UPDATE`; SQLite serialises write
 * transactions already) and returns its current state, not a snapshot taken before the lock was granted.
 * Everything that changes a request or its 回访 locks the request row first, so concurrent actors queue
 * in one order instead of deadlocking.
 */
export async function lockRequest(em: EntityManager, requestId: number): Promise<ServiceRequest> {
  const request = await em.findOne(ServiceRequest, {
    where: { id: requestId }, ...(dialectOf(em) === 'mysql' ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  })
  if (!request) throw new NotFoundError('工单', 'request_not_found')
  return request
}
