import { In, type DataSource, type EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { DEFAULT_CALLBACK_RULE, type CallbackRule } from '../community/settings.js'
import { CATEGORY_NAMES } from '../community/taxonomy.js'
import { Community, RequestReporter, Resident, ServiceRequest } from '../db/entities/index.js'
import { inTransaction } from '../db/transaction.js'
import type { Logger } from '../logger.js'
import { enqueue, PRIORITY, type OutboxDraft } from '../outbox/outbox.js'
import { inQuietHours } from '../requests/callbackTime.js'
import { AWAITING_CALLBACK, moveCallback, type CallbackStatus } from '../requests/callbackStateMachine.js'
import { SYSTEM } from '../requests/events.js'
import { closeUnanswered } from '../requests/feedback.js'
import { lockRequest } from '../requests/lifecycle.js'
import { draftToResident } from '../requests/notify.js'
import { maskPersonalText } from '../requests/privacy.js'
import type { JobRunSummary } from './types.js'

// 回访: after 办结 each reporter and co-reporter is asked whether the problem is solved and how satisfied
// they are (pending → asked), reminded once after reminderHours (→ reminded, never in quiet hours), and
// after closeAfterHours more the request closes as no_answer. Every step is a move of the callback state
// machine (src/requests/callbackStateMachine.ts: guarded UPDATE + event) plus its outbox row, in one transaction.

// Understanding answers lives with the other 回访 commands; re-exported for the bot and tests.
export { answerCallback, parseCallbackAnswer, type CallbackAnswer, type CallbackAnswerResult, type CallbackRating } from '../requests/callbackAnswer.js'

// ---------------------------------------------------------------------------------------------
// The job

export interface CallbackDeps {
  db: DataSource
  clock: Clock
  logger?: Logger
}

const brief = (r: ServiceRequest) => {
  const t = maskPersonalText(r.originalText.replace(/\s+/g, ' ').trim())
  return t.length > 30 ? `${t.slice(0, 30)}…` : t
}

export const callbackQuestionText = (r: ServiceRequest) => [
  `【回访】您好！您反映的问题（工单 ${r.no}，${CATEGORY_NAMES[r.category]}：${brief(r)}）已办结。`,
  '请问问题解决了吗？您对处理结果满意吗？请直接回复数字：',
  '1 满意',
  '2 基本满意',
  '3 不满意',
  '如果问题还没解决，也可以直接告诉我们情况。',
].join('\n')

export const callbackReminderText = (r: ServiceRequest) =>
  `【回访提醒】工单 ${r.no}（${brief(r)}）已办结，还没收到您的评价。问题解决了吗？请回复 1 满意 / 2 基本满意 / 3 不满意；没解决请直接告诉我们。`

const HOUR = 3600_000

type Step = 'ask' | 'remind' | 'close'

/**
 * Where one reporter's 回访 goes. A report made in the mini-program is answered there: by a subscribe message
 * when the resident allowed one, else nothing is sent and the request waits in the mini-program's list — even
 * if the same resident is also known on WeChat. Other reports get the full question by WeChat DM (or, for a
 * resident known only by openid, the subscribe message). The subscribe message (short template fields) just
 * points to the mini-program.
 */
export function callbackDraft(resident: Resident, row: Pick<RequestReporter, 'id' | 'source' | 'callbackDueAt' | 'createdAt'>, request: ServiceRequest, step: 'ask' | 'remind'): OutboxDraft | null {
  const key = `callback:${step}:${row.id}:${(row.callbackDueAt ?? row.createdAt).getTime()}`
  const extra = { requestId: request.id, priority: PRIORITY.normal, payload: { template: 'callback', kind: 'callback', step, requestId: request.id, requestNo: request.no } }
  const mpText = `工单 ${request.no} 已办结，请在小程序评价处理结果`
  if (row.source === 'miniprogram') {
    return resident.openid && resident.subscribeAllowed ? draftToResident({ ...resident, wechatName: null } as Resident, key, mpText, extra) : null
  }
  const text = resident.wechatName ? (step === 'ask' ? callbackQuestionText(request) : callbackReminderText(request)) : mpText
  return draftToResident(resident, key, text, extra)
}

/** One 回访 pass over every community: ask those due, remind those unanswered, close what stayed unanswered. */
export async function runCallbacks(deps: CallbackDeps): Promise<JobRunSummary> {
  const now = deps.clock.now()
  const counts: Record<Step, number> = { ask: 0, remind: 0, close: 0 }
  const communities = await deps.db.getRepository(Community).find({ order: { id: 'ASC' } })
  for (const community of communities) {
    const rule: CallbackRule = { ...DEFAULT_CALLBACK_RULE, ...(community.settings?.callbacks ?? {}) }
    const quiet = inQuietHours(now, community.timezone, rule)
    const steps: { step: Step; status: CallbackStatus; column: string; before: Date }[] = [
      { step: 'close', status: 'reminded', column: 'callback_reminded_at', before: new Date(now.getTime() - rule.closeAfterHours * HOUR) },
      // Nothing is sent to residents in the quiet hours: the 08:00 run sends what waited.
      ...(quiet ? [] : [
        { step: 'remind' as const, status: 'asked' as const, column: 'callback_asked_at', before: new Date(now.getTime() - rule.reminderHours * HOUR) },
        { step: 'ask' as const, status: 'pending' as const, column: 'callback_due_at', before: now },
      ]),
    ]
    for (const s of steps) {
      const rows = await deps.db.getRepository(RequestReporter).createQueryBuilder('rr')
        .innerJoin(ServiceRequest, 'r', 'r.id = rr.request_id')
        .where('r.community_id = :c AND rr.callback_status = :status', { c: community.id, status: s.status })
        .andWhere(`rr.${s.column} <= :before`, { before: s.before })
        .orderBy('rr.id', 'ASC').getMany()
      for (const row of rows) {
        try {
          if (await inTransaction(deps.db, (em) => callbackStep(em, deps.clock, s.step, row))) counts[s.step]++
        } catch (err) {
          deps.logger?.error({ err, reporterRowId: row.id, step: s.step }, 'callback step failed')
        }
      }
    }
  }
  return { acted: counts.ask + counts.remind + counts.close, details: { asked: counts.ask, reminded: counts.remind, closed: counts.close } }
}

/** One step for one reporter row, in its own transaction: the request row is locked first (the order ratings use too). */
async function callbackStep(em: EntityManager, clock: Clock, step: Step, row: RequestReporter): Promise<boolean> {
  const now = clock.now()
  const request = await lockRequest(em, row.requestId)
  if (step === 'close') {
    // closeUnanswered moves every still-waiting reporter of the request to no_answer with the request.
    const current = await em.findOne(RequestReporter, { where: { id: row.id } })
    if (current?.callbackStatus !== 'reminded') return false
    if (request.status === 'resolved') {
      await closeUnanswered(em, clock, request.id)
      return true
    }
    // Already closed by another reporter's answer: only this person's callback ends.
    return moveCallback(em, clock, { row, action: 'expire', actor: SYSTEM, channel: 'system', set: { rating: 'no_answer' } })
  }
  if (request.status !== 'resolved' && request.status !== 'closed') return false
  const resident = await em.findOne(Resident, { where: { id: row.residentId } })
  const draft = resident && callbackDraft(resident, row, request, step)
  const moved = await moveCallback(em, clock, {
    row, action: step, actor: SYSTEM, channel: 'system', set: step === 'ask' ? { callbackAskedAt: now } : { callbackRemindedAt: now },
    data: { via: draft?.channel ?? 'miniprogram' },
  })
  if (moved && draft) await enqueue(em, clock, [draft])
  return moved
}

/** Reporter rows of requests awaiting this resident's 回访 answer (for the mini-program's "please rate" list). */
export async function awaitingCallbacks(em: EntityManager, residentId: number) {
  return em.find(RequestReporter, { where: { residentId, callbackStatus: In([...AWAITING_CALLBACK]) }, order: { id: 'DESC' } })
}
