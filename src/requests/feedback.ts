import { In, type EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { loadCommunity, secretaryOf, staffById } from '../community/snapshot.js'
import { deadlines } from '../community/sla.js'
import { Resident, ServiceRequest, type Channel, type Rating } from '../db/entities/index.js'
import { enqueue, PRIORITY } from '../outbox/outbox.js'
import { ForbiddenError } from '../errors.js'
import {
  CallbackAlreadyAnsweredError, CallbackNotAwaitedError, canMoveCallback, lockReporterRow, moveCallback, moveCallbacksOf,
} from './callbackStateMachine.js'
import { SYSTEM } from './events.js'
import { lockRequest, transition } from './lifecycle.js'
import { reopenedText } from './messages.js'
import { draftToResident, notifyStaff } from './notify.js'

/** What a resident who is unhappy although the problem is fixed complains about. */
export const COMPLAINTS = ['speed', 'attitude', 'other'] as const
export type Complaint = (typeof COMPLAINTS)[number]
export const COMPLAINT_NAMES: Record<Complaint, string> = { speed: '办理太慢', attitude: '服务态度', other: '处理结果' }

export interface RateProps {
  requestId: number
  residentId: number
  rating: Exclude<Rating, 'no_answer'>
  /** "is it fixed?" — false reopens even with a kind rating; true keeps a fixed problem closed even when 不满意 */
  solved?: boolean | null
  /** 不满意 about speed or attitude: recorded and sent to the 书记, the fixed problem is not reopened */
  complaint?: Complaint | null
  words?: string | null
  channel: Channel
}

/**
 * closed: this answer closed the request; reopened: 重办; recorded: kept on the reporter (already closed);
 * complaint: 不满意 with a reason, recorded and sent to the 书记 without reopening.
 */
export type RatingOutcome = 'closed' | 'reopened' | 'recorded' | 'complaint'
export interface RateResult { request: ServiceRequest; outcome: RatingOutcome }

export const RATING_NAMES: Record<Rating, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', no_answer: '未回复' }
const RATING_RANK: Record<Rating, number> = { satisfied: 3, basically_satisfied: 2, unsatisfied: 1, no_answer: 0 }

/** 不满意 with no reason, or "not fixed": the problem is handled again. A complaint about how it went is not. */
export function meansNotFixed(p: Pick<RateProps, 'rating' | 'solved' | 'complaint'>): boolean {
  return p.solved === false || (p.rating === 'unsatisfied' && p.solved !== true && !p.complaint)
}

/** 回访 answer through the API (and tests): the request as it stands after the answer. */
export async function rateRequest(em: EntityManager, clock: Clock, p: RateProps): Promise<ServiceRequest> {
  return (await answerRating(em, clock, p)).request
}

/**
 * One reporter's 回访 answer; each reporter rates for themselves. The first kind answer closes the request
 * with that rating; "not fixed" from any reporter reopens it (重办) to the same assignee and tells the others
 * in words that follow what they heard before; 不满意 about speed or attitude is recorded with its reason and
 * sent to the 书记 without reopening. A second answer from the same person is refused kindly
 * (CallbackAlreadyAnsweredError). Locks the request row first; run inside `inTransaction`.
 */
export async function answerRating(em: EntityManager, clock: Clock, p: RateProps): Promise<RateResult> {
  const current = await lockRequest(em, p.requestId)
  const reporter = await lockReporterRow(em, p.requestId, p.residentId)
  if (!reporter) throw new ForbiddenError('您不是这个工单的报告人，不能评价', 'not_reporter')
  if (reporter.callbackStatus === 'answered') throw new CallbackAlreadyAnsweredError(current.no)
  if (!['resolved', 'closed'].includes(current.status) || !canMoveCallback(reporter.callbackStatus, 'answer')) throw new CallbackNotAwaitedError(current.no)
  const actor = { type: 'resident' as const, id: p.residentId }
  const words = p.words?.trim().slice(0, 500) || null
  const notFixed = meansNotFixed(p)
  const complaint = !notFixed && p.rating === 'unsatisfied' ? (p.complaint ?? 'other') : null
  const claimed = await moveCallback(em, clock, {
    row: reporter, action: 'answer', actor, channel: p.channel, set: { rating: p.rating },
    data: { rating: p.rating, solved: p.solved ?? null, words, ...(complaint ? { complaint } : {}) },
  })
  if (!claimed) throw new CallbackAlreadyAnsweredError(current.no)
  if (notFixed) return { request: await reopen(em, clock, current, p, words), outcome: 'reopened' }

  let request = current
  let outcome: RatingOutcome = complaint ? 'complaint' : 'recorded'
  if (current.status === 'resolved') {
    ;({ request } = await transition(em, clock, {
      requestId: p.requestId, action: 'close', actor, channel: p.channel,
      set: { rating: p.rating, ratingComment: words, closedAt: clock.now() }, data: { rating: p.rating, ...(complaint ? { complaint } : {}) },
    }))
    if (!complaint) outcome = 'closed'
  } else if (!current.rating || current.rating === 'no_answer' || RATING_RANK[p.rating] < RATING_RANK[current.rating]) {
    // Already closed by another reporter: the request carries its least happy answer, so the 满意率 stays honest.
    await em.update(ServiceRequest, { id: current.id }, { rating: p.rating, ratingComment: words ?? current.ratingComment })
    request = await em.findOneOrFail(ServiceRequest, { where: { id: current.id } })
  }
  const closedNow = current.status === 'resolved'
  if (complaint) await tellSecretaryOfComplaint(em, clock, request, p.residentId, complaint, words)
  const text = complaint
    ? `感谢您的反馈，很抱歉让您不满意。您对${COMPLAINT_NAMES[complaint]}的意见已记录，并已转告社区书记，我们会改进。${closedNow ? `工单 ${request.no} 的问题已处理，工单已关闭；` : ''}如问题还在，请直接告诉我们。`
    : closedNow ? `感谢您的评价！工单 ${request.no} 已关闭。` : `感谢您的评价！工单 ${request.no} 的回访已记录。`
  // Only the person who answered is thanked: co-reporters not asked yet are still asked for their own view.
  const rater = await em.findOne(Resident, { where: { id: p.residentId } })
  const key = `callback:reply:${reporter.id}:${(reporter.callbackDueAt ?? reporter.createdAt).getTime()}`
  const reply = rater && draftToResident(rater, key, text, { requestId: request.id, priority: request.urgency === 'urgent' ? PRIORITY.urgent : PRIORITY.normal })
  if (reply) await enqueue(em, clock, [reply])
  return { request, outcome }
}

async function tellSecretaryOfComplaint(em: EntityManager, clock: Clock, request: ServiceRequest, residentId: number, complaint: Complaint, words: string | null) {
  const community = await loadCommunity(em, request.communityId)
  const who = await em.findOne(Resident, { where: { id: residentId } })
  const assignee = staffById(community, request.assigneeStaffId)?.name ?? '负责人'
  await notifyStaff(em, clock, request, [secretaryOf(community)], `complaint:${request.id}:${residentId}:${request.resolvedAt?.getTime() ?? 0}`,
    `【回访不满意】工单 ${request.no} 居民${who?.name || who?.wechatName || ''}对${COMPLAINT_NAMES[complaint]}不满意${words ? `：“${words}”` : ''}。问题已由${assignee}处理，工单不重办，请关注并回应。`)
}

async function reopen(em: EntityManager, clock: Clock, current: ServiceRequest, p: RateProps, words: string | null): Promise<ServiceRequest> {
  const community = await loadCommunity(em, current.communityId)
  const actor = { type: 'resident' as const, id: p.residentId }
  const now = clock.now()
  const { request, event } = await transition(em, clock, {
    requestId: p.requestId, action: 'reopen', actor, channel: p.channel,
    set: {
      reopenCount: current.reopenCount + 1, rating: p.rating, ratingComment: words, resolutionOutcome: null, resolvedAt: null, closedAt: null, acceptedAt: null,
      acceptRemindedAt: null, acceptEscalatedAt: null, resolveRemindedAt: null, resolveEscalatedAt: null,
      ...deadlines(current.urgency, now, community.community.settings, community.community.timezone),
    },
    data: { rating: p.rating, solved: p.solved ?? null, words },
  })
  // The others are no longer asked about a fix that did not hold.
  const { rows } = await moveCallbacksOf(em, clock, request.id, 'withdraw', { actor: SYSTEM, channel: 'system', data: { reason: 'reopened', byResidentId: p.residentId } })
  const residents = await em.find(Resident, { where: { id: In(rows.map((r) => r.residentId)) } })
  await notifyStaff(em, clock, request, [staffById(community, request.assigneeStaffId)], `evt${event.id}:assignee`, reopenedText(request, words))
  await notifyStaff(em, clock, request, [secretaryOf(community)], `evt${event.id}:secretary`, `【重办提醒】工单 ${request.no} 回访反映问题未解决${words ? `：“${words}”` : ''}，已交回${staffById(community, request.assigneeStaffId)?.name ?? '原负责人'}重办（第 ${request.reopenCount} 次）。`)
  const priority = request.urgency === 'urgent' ? PRIORITY.urgent : PRIORITY.normal
  const drafts = rows.map((reporter) => {
    const resident = residents.find((x) => x.id === reporter.residentId)
    if (!resident) return null
    const text = reporter.residentId === p.residentId
      ? `抱歉问题还没解决好，工单 ${request.no} 已重新交办，我们会尽快处理。`
      // Someone told "已关闭" or "已记录" hears why it is open again; someone still to be asked, that no answer is needed now.
      : reporter.callbackStatus === 'answered'
        ? `另一位邻居反映工单 ${request.no} 的问题仍在，工单已重新交办，我们会继续处理，办好后再请您评价。`
        : `另一位邻居反映工单 ${request.no} 的问题仍在，工单已重新交办，这次先不用评价，办好后再请您评价。`
    return draftToResident(resident, `evt${event.id}`, text, { requestId: request.id, priority })
  }).filter((d) => d !== null)
  await enqueue(em, clock, drafts)
  return request
}

/** No answer to the callback and its reminder: close as no_answer (counted separately in the 三率). */
export async function closeUnanswered(em: EntityManager, clock: Clock, requestId: number) {
  const { request } = await transition(em, clock, {
    requestId, action: 'close', actor: SYSTEM, channel: 'system', set: { rating: 'no_answer', closedAt: clock.now() }, data: { rating: 'no_answer' },
  })
  await moveCallbacksOf(em, clock, requestId, 'expire', { actor: SYSTEM, channel: 'system', set: { rating: 'no_answer' } })
  return request
}

