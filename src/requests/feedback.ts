import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { loadCommunity, secretaryOf, staffById } from '../community/snapshot.js'
import { deadlines } from '../community/sla.js'
import { RequestReporter, Resident, ServiceRequest, type Channel, type Rating } from '../db/entities/index.js'
import { enqueue, PRIORITY } from '../outbox/outbox.js'
import { ForbiddenError, NotFoundError } from '../errors.js'
import { SYSTEM, recordEvent } from './events.js'
import { transition } from './lifecycle.js'
import { reopenedText } from './messages.js'
import { draftToResident, notifyReporters, notifyStaff } from './notify.js'

export interface RateProps {
  requestId: number
  residentId: number
  rating: Exclude<Rating, 'no_answer'>
  /** "is it fixed?" — false reopens even with a kind rating */
  solved?: boolean
  words?: string | null
  channel: Channel
}

export const RATING_NAMES: Record<Rating, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', no_answer: '未回复' }

/**
 * 回访 answer. 满意/基本满意 closes the request with that rating; 不满意 or "not solved" reopens it (重办)
 * to the same assignee with the resident's words and tells the 书记.
 */
export async function rateRequest(em: EntityManager, clock: Clock, p: RateProps) {
  const reporter = await em.findOne(RequestReporter, { where: { requestId: p.requestId, residentId: p.residentId } })
  if (!reporter) throw new ForbiddenError('您不是这个工单的报告人，不能评价', 'not_reporter')
  const current = await em.findOne(ServiceRequest, { where: { id: p.requestId } })
  if (!current) throw new NotFoundError('工单', 'request_not_found')
  const unhappy = p.rating === 'unsatisfied' || p.solved === false
  const actor = { type: 'resident' as const, id: p.residentId }
  await em.update(RequestReporter, { id: reporter.id }, { callbackStatus: 'answered', rating: p.rating })
  await recordEvent(em, clock, { requestId: p.requestId, type: 'callback_answered', actor, channel: p.channel, data: { rating: p.rating, solved: p.solved ?? null, words: p.words ?? null } })

  if (!unhappy) {
    if (current.status !== 'resolved') return current // already closed by another reporter's answer
    const { request, event } = await transition(em, clock, {
      requestId: p.requestId, action: 'close', actor, channel: p.channel,
      set: { rating: p.rating, ratingComment: p.words ?? null, closedAt: clock.now() }, data: { rating: p.rating },
    })
    // Only the person who answered is thanked: co-reporters not asked yet are still asked for their own view.
    const rater = await em.findOne(Resident, { where: { id: p.residentId } })
    const thanks = rater && draftToResident(rater, `evt${event.id}`, `感谢您的评价！工单 ${request.no} 已关闭。`, {
      requestId: request.id, priority: request.urgency === 'urgent' ? PRIORITY.urgent : PRIORITY.normal,
    })
    if (thanks) await enqueue(em, clock, [thanks])
    return request
  }
  const community = await loadCommunity(em, current.communityId)
  const now = clock.now()
  const { request, event } = await transition(em, clock, {
    requestId: p.requestId, action: 'reopen', actor, channel: p.channel,
    set: {
      reopenCount: current.reopenCount + 1, rating: p.rating, ratingComment: p.words ?? null, resolvedAt: null, closedAt: null, acceptedAt: null,
      acceptRemindedAt: null, acceptEscalatedAt: null, resolveRemindedAt: null, resolveEscalatedAt: null,
      ...deadlines(current.urgency, now, community.community.settings, community.community.timezone),
    },
    data: { rating: p.rating, solved: p.solved ?? null, words: p.words ?? null },
  })
  // Other reporters are no longer asked about a fix that did not hold.
  await em.createQueryBuilder().update(RequestReporter).set({ callbackStatus: null })
    .where('request_id = :id AND callback_status IN (:...s)', { id: request.id, s: ['pending', 'asked', 'reminded'] }).execute()
  const text = reopenedText(request, p.words ?? null)
  await notifyStaff(em, clock, request, [staffById(community, request.assigneeStaffId)], `evt${event.id}:assignee`, text)
  await notifyStaff(em, clock, request, [secretaryOf(community)], `evt${event.id}:secretary`, `【重办提醒】工单 ${request.no} 回访不满意${p.words ? `：“${p.words}”` : ''}，已交回${staffById(community, request.assigneeStaffId)?.name ?? '原负责人'}重办（第 ${request.reopenCount} 次）。`)
  await notifyReporters(em, clock, request, `evt${event.id}`, `抱歉问题还没解决好，工单 ${request.no} 已重新交办，我们会尽快处理。`)
  return request
}

/** No answer to the callback and its reminder: close as no_answer (counted separately in the 三率). */
export async function closeUnanswered(em: EntityManager, clock: Clock, requestId: number) {
  const { request } = await transition(em, clock, {
    requestId, action: 'close', actor: SYSTEM, channel: 'system', set: { rating: 'no_answer', closedAt: clock.now() }, data: { rating: 'no_answer' },
  })
  await em.createQueryBuilder().update(RequestReporter).set({ callbackStatus: 'no_answer', rating: 'no_answer' })
    .where('request_id = :id AND callback_status IN (:...s)', { id: requestId, s: ['pending', 'asked', 'reminded'] }).execute()
  return request
}
