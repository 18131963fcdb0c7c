import type { EntityManager } from 'typeorm'
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js'
import type { Clock } from '../clock.js'
import { dialectOf } from '../db/dataSource.js'
import { RequestReporter, type Channel } from '../db/entities/index.js'
import { ConflictError } from '../errors.js'
import { recordEvent, type Actor } from './events.js'

/**
 * 回访, one per reporter and co-reporter of a request:
 *
 *   (none) ──schedule (办结)──▶ pending ──ask──▶ asked ──remind──▶ reminded ──expire──▶ no_answer
 *                                 └──────────────┴───answer──────────┴──▶ answered
 *   pending/asked/reminded ──withdraw (another reporter reopened it: 重办)──▶ (none)
 *
 * This table is the only place that says which move is allowed from where. Every move is a guarded
 * `UPDATE request_reporters … WHERE callback_status IN (from)`; of two concurrent movers exactly one
 * changes the row, and only the winner writes the event. Lock order, everywhere a callback moves:
 * the request row first (lockRequest), then its reporter rows — so a rating racing the job or a
 * co-reporter waits instead of deadlocking.
 */
export const CALLBACK_STATUSES = ['pending', 'asked', 'reminded', 'answered', 'no_answer'] as const
export type CallbackStatus = (typeof CALLBACK_STATUSES)[number]
/** Waiting for the resident's answer (pending: the 办结 notice went out, the question not yet). */
export const AWAITING_CALLBACK: readonly CallbackStatus[] = ['pending', 'asked', 'reminded']

type From = CallbackStatus | null
export const CALLBACK_TRANSITIONS = {
  schedule: { from: [null, ...CALLBACK_STATUSES], to: 'pending', event: 'callback_scheduled' },
  ask: { from: ['pending'], to: 'asked', event: 'callback_asked' },
  remind: { from: ['asked'], to: 'reminded', event: 'callback_reminded' },
  // A late answer after no_answer (the mini-program keeps the rating button) is still recorded.
  answer: { from: [...AWAITING_CALLBACK, 'no_answer'], to: 'answered', event: 'callback_answered' },
  expire: { from: AWAITING_CALLBACK, to: 'no_answer', event: 'callback_no_answer' },
  withdraw: { from: AWAITING_CALLBACK, to: null, event: 'callback_withdrawn' },
} as const satisfies Record<string, { from: readonly From[]; to: From; event: string }>
export type CallbackAction = keyof typeof CALLBACK_TRANSITIONS

export function canMoveCallback(status: From, action: CallbackAction): boolean {
  return (CALLBACK_TRANSITIONS[action].from as readonly From[]).includes(status)
}

/** The resident already answered this 回访 (a second, concurrent or late reply): said kindly, never a 500. */
export class CallbackAlreadyAnsweredError extends ConflictError {
  /** stillOpen: the answer reopened it (重办), so the problem has not "come back" — it is being handled again. */
  constructor(no: string, stillOpen = false) {
    super('already_rated', stillOpen
      ? `您对工单 ${no} 的评价已经记录过了，工单正在重新办理，办好后会再请您评价。还有情况请直接告诉我。`
      : `您对工单 ${no} 的评价已经记录过了，谢谢！如问题又出现，请直接告诉我们。`, { no })
  }
}
/** Nothing is awaited from this resident for this request (not resolved yet, reopened, or closed without them). */
export class CallbackNotAwaitedError extends ConflictError {
  constructor(no: string) {
    super('callback_not_awaited', `工单 ${no} 目前没有等待您的评价。`, { no })
  }
}

/** One reporter row, read with a lock (after lockRequest) so its status is current. */
export async function lockReporterRow(em: EntityManager, requestId: number, residentId: number): Promise<RequestReporter | null> {
  return em.findOne(RequestReporter, {
    where: { requestId, residentId }, ...(dialectOf(em) === 'mysql' ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  })
}

export interface CallbackMoveProps {
  row: Pick<RequestReporter, 'id' | 'requestId' | 'residentId'>
  action: CallbackAction
  actor: Actor
  channel: Channel
  /** Other reporter-row columns changed with the status (asked_at, rating …). */
  set?: QueryDeepPartialEntity<RequestReporter>
  data?: Record<string, unknown>
}

/** Moves one reporter's 回访 if it is still in an allowed state; true when this caller won (and the event was written). */
export async function moveCallback(em: EntityManager, clock: Clock, p: CallbackMoveProps): Promise<boolean> {
  const rule = CALLBACK_TRANSITIONS[p.action]
  const from = rule.from as readonly From[]
  const named = from.filter((s): s is CallbackStatus => s !== null)
  const qb = em.createQueryBuilder().update(RequestReporter).set({ ...(p.set ?? {}), callbackStatus: rule.to })
  const guard = from.includes(null)
    ? '(callback_status IS NULL OR callback_status IN (:...from))'
    : 'callback_status IN (:...from)'
  const result = await qb.where(`id = :id AND ${guard}`, { id: p.row.id, from: named }).execute()
  if (!result.affected) return false
  await recordEvent(em, clock, {
    requestId: p.row.requestId, type: rule.event, actor: p.actor, channel: p.channel,
    data: { residentId: p.row.residentId, ...(p.data ?? {}) },
  })
  return true
}

/**
 * Moves every reporter of a request whose 回访 allows the action (each guarded, each with its event).
 * Returns all reporter rows as they were just before (read with a lock) and those that moved.
 */
export async function moveCallbacksOf(em: EntityManager, clock: Clock, requestId: number, action: CallbackAction, p: Omit<CallbackMoveProps, 'row' | 'action'>): Promise<{ rows: RequestReporter[]; moved: RequestReporter[] }> {
  const rows = await em.find(RequestReporter, { where: { requestId }, order: { id: 'ASC' }, ...(dialectOf(em) === 'mysql' ? { lock: { mode: 'pessimistic_write' as const } } : {}) })
  const moved: RequestReporter[] = []
  for (const row of rows) {
    if (!canMoveCallback(row.callbackStatus, action)) continue
    if (await moveCallback(em, clock, { ...p, row, action })) moved.push(row)
  }
  return { rows, moved }
}
