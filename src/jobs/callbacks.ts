import { In, type DataSource, type EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { DEFAULT_CALLBACK_RULE, type CallbackRule } from '../community/settings.js'
import { CATEGORY_NAMES } from '../community/taxonomy.js'
import { Community, RequestReporter, Resident, ServiceRequest, type Channel, type Rating } from '../db/entities/index.js'
import { inTransaction } from '../db/transaction.js'
import type { Logger } from '../logger.js'
import { enqueue, PRIORITY, type OutboxDraft } from '../outbox/outbox.js'
import { inQuietHours } from '../requests/callbackTime.js'
import { SYSTEM, recordEvent } from '../requests/events.js'
import { closeUnanswered, rateRequest } from '../requests/feedback.js'
import { draftToResident } from '../requests/notify.js'
import { maskPersonalText } from '../requests/privacy.js'
import type { RequestStatus } from '../requests/stateMachine.js'
import type { JobRunSummary } from './types.js'

// 回访: after 办结 each reporter and co-reporter is asked whether the problem is solved and how satisfied
// they are (pending → asked), reminded once after reminderHours (→ reminded, never in quiet hours), and
// after closeAfterHours more the request closes as no_answer. Every step is a guarded UPDATE of the
// reporter row plus its outbox row, in one transaction.

export type CallbackRating = Exclude<Rating, 'no_answer'>
export interface CallbackAnswer {
  rating: CallbackRating
  /** false only when the resident says the problem is still there (还没修好, 没人来 …) */
  solved: boolean
}

const HOUR = 3600_000
const AWAITING = ['pending', 'asked', 'reminded'] as const

// ---------------------------------------------------------------------------------------------
// Understanding the answer

/** Normalises full-width digits/letters (NFKC), keycap digits and circled numbers; drops spaces and punctuation. */
function compact(text: string): string {
  return text.normalize('NFKC').replace(/[\uFE0F\u20E3]/g, '')
    .replace(/[\s.,!?;:、，。！？；：~～…"'“”‘’()（）[\]【】<>《》\-_*#=+/\\|]+/g, '')
    .replace(/不好意思/g, '')
    .toLowerCase()
}

const NOT_SOLVED = new RegExp([
  '(?:还|仍|仍然|依然|依旧|照样|根本|压根|一直)?(?:没|没有|未|并没有?|还没)(?:修好|修|解决|弄好|搞好|处理好|处理|好|人来|来人|人管|人修|人处理|变化|效果|用|来修|人联系)',
  '还是(?:坏|漏|不亮|不行|不通|老样子|一样|没|有问题|有味|堵|吵|臭)',
  '(?:又|仍然|依然|还在|还)(?:坏|漏|不亮|堵|不通|臭|响)',
  '还有点?(?:漏|坏|问题|响|臭|堵|味)',
  '老样子|没啥变化|没什么变化|白修|修了又坏|又坏了|一点没变',
].join('|'))
const UNSATISFIED = /不(?:太|是很|怎么|很|够|大)?满意|差评|很差|太差|极差|不好|不行|糟糕|垃圾|敷衍|态度差|不负责|失望|生气|投诉/
const BASIC = /基本满意|比较满意|还算满意|还行|还可以|一般般?|凑合|马马虎虎|将就|过得去|差不多|还好|勉强/
const SATISFIED = /满意|挺好|很好|非常好|太好了|真好|好了|好啦|解决了|修好了|搞定|不错|没问题|谢谢|感谢|多谢|辛苦|点赞|给力|棒|赞|👍|可以了|行了/
const DIGIT = /^([123])(?=$|满意|基本满意|不满意|[^\p{L}\p{N}])/u
/** Longer messages without a leading digit are treated as new reports, not 回访 answers. */
const MAX_WORD_ANSWER = 24
const RATING_BY_DIGIT: Record<string, CallbackRating> = { '1': 'satisfied', '2': 'basically_satisfied', '3': 'unsatisfied' }

/**
 * A resident's reply to the 回访 question, or null when the text is not an answer: `1` 满意 / `2` 基本满意 /
 * `3` 不满意 (full-width １２３ too), or words — 满意了, 挺好, 谢谢已经好了 (satisfied); 还行, 一般, 凑合
 * (basically satisfied); 不满意 (unsatisfied); 还没修好, 没人来, 没解决, 还是坏的 (unsatisfied, not solved).
 * Questions and long messages without a leading digit are not answers (they may be new reports).
 */
export function parseCallbackAnswer(text: string): CallbackAnswer | null {
  if (typeof text !== 'string') return null
  const trimmed = text.normalize('NFKC').replace(/[\uFE0F\u20E3]/g, '').trim()
  const digit = DIGIT.exec(trimmed)
  if (digit) {
    const rest = compact(trimmed.slice(1))
    if (/^\d/.test(rest)) return null
    const notSolved = NOT_SOLVED.test(rest)
    return { rating: RATING_BY_DIGIT[digit[1]!]!, solved: !notSolved }
  }
  // "3号楼…", "12" : a number that is not a one-tap answer starts a new report, not a rating.
  if (/^\d/.test(trimmed)) return null
  const s = compact(trimmed)
  if (!s || s.length > MAX_WORD_ANSWER) return null
  const notSolved = NOT_SOLVED.test(s)
  if (notSolved) return { rating: 'unsatisfied', solved: false }
  if (/[?？]|吗$|么$/.test(trimmed)) return null
  if (UNSATISFIED.test(s)) return { rating: 'unsatisfied', solved: true }
  if (BASIC.test(s)) return { rating: 'basically_satisfied', solved: true }
  if (SATISFIED.test(s)) return { rating: 'satisfied', solved: true }
  return null
}

export interface CallbackAnswerResult {
  requestId: number
  requestNo: string
  rating: CallbackRating
  solved: boolean
  /** closed: 满意/基本满意 closed it; reopened: 重办; recorded: kept on the reporter (the request was already closed) */
  outcome: 'closed' | 'reopened' | 'recorded'
  status: RequestStatus
}

/**
 * Applies a resident's private reply to their most recent awaited 回访 (asked or reminded first, else a
 * pending one: the resident may answer the 办结 notice before being asked). Returns null when nothing
 * awaits an answer from them or the text is not an answer. Run inside `inTransaction`.
 */
export async function answerCallback(em: EntityManager, clock: Clock, p: { residentId: number; text: string; channel: Channel }): Promise<CallbackAnswerResult | null> {
  const answer = parseCallbackAnswer(p.text)
  if (!answer) return null
  const rows = await em.getRepository(RequestReporter).createQueryBuilder('rr')
    .innerJoin(ServiceRequest, 'r', 'r.id = rr.request_id')
    .where('rr.resident_id = :resident AND rr.callback_status IN (:...awaiting)', { resident: p.residentId, awaiting: AWAITING })
    .andWhere('r.status IN (:...statuses)', { statuses: ['resolved', 'closed'] })
    .getMany()
  const rank = (r: RequestReporter) => (r.callbackStatus === 'pending' ? 0 : 1)
  const time = (r: RequestReporter) => (r.callbackAskedAt ?? r.callbackDueAt ?? r.createdAt).getTime()
  const row = rows.sort((a, b) => rank(b) - rank(a) || time(b) - time(a) || b.id - a.id)[0]
  if (!row) return null
  // Claim the answer so two quick replies cannot both rate.
  const claimed = await em.createQueryBuilder().update(RequestReporter).set({ callbackStatus: 'answered' })
    .where('id = :id AND callback_status IN (:...awaiting)', { id: row.id, awaiting: AWAITING }).execute()
  if (!claimed.affected) return null
  const before = await em.findOneOrFail(ServiceRequest, { where: { id: row.requestId } })
  const words = p.text.trim().slice(0, 500) || null
  const after = await rateRequest(em, clock, { requestId: row.requestId, residentId: p.residentId, rating: answer.rating, solved: answer.solved, words, channel: p.channel })
  const outcome = after.status === 'reopened' ? 'reopened' : before.status === 'resolved' && after.status === 'closed' ? 'closed' : 'recorded'
  if (outcome === 'recorded') {
    const resident = await em.findOne(Resident, { where: { id: p.residentId } })
    const d = resident && draftToResident(resident, `callback:thanks:${row.id}:${(row.callbackDueAt ?? row.createdAt).getTime()}`, `感谢您的评价！工单 ${after.no} 的回访已记录。`, { requestId: after.id })
    if (d) await enqueue(em, clock, [d])
  }
  return { requestId: after.id, requestNo: after.no, rating: answer.rating, solved: answer.solved, outcome, status: after.status }
}

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
    const steps: { step: Step; status: (typeof AWAITING)[number]; column: string; before: Date }[] = [
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

async function callbackStep(em: EntityManager, clock: Clock, step: Step, row: RequestReporter): Promise<boolean> {
  const now = clock.now()
  const request = await em.findOneOrFail(ServiceRequest, { where: { id: row.requestId } })
  if (step === 'close') {
    // closeUnanswered moves every still-waiting reporter of the request to no_answer with the request.
    if (request.status === 'resolved') {
      await closeUnanswered(em, clock, request.id)
      return true
    }
    // Already closed by another reporter's answer: only this person's callback ends.
    const r = await em.createQueryBuilder().update(RequestReporter).set({ callbackStatus: 'no_answer', rating: 'no_answer' })
      .where('id = :id AND callback_status = :s', { id: row.id, s: 'reminded' }).execute()
    if (!r.affected) return false
    await recordEvent(em, clock, { requestId: request.id, type: 'callback_no_answer', actor: SYSTEM, channel: 'system', data: { residentId: row.residentId } })
    return true
  }
  const [from, to, stamp] = step === 'ask'
    ? ['pending', 'asked', { callbackAskedAt: now }] as const
    : ['asked', 'reminded', { callbackRemindedAt: now }] as const
  const claimed = await em.createQueryBuilder().update(RequestReporter).set({ callbackStatus: to, ...stamp })
    .where('id = :id AND callback_status = :from', { id: row.id, from }).execute()
  if (!claimed.affected) return false
  const resident = await em.findOne(Resident, { where: { id: row.residentId } })
  const draft = resident && callbackDraft(resident, row, request, step)
  if (draft) await enqueue(em, clock, [draft])
  await recordEvent(em, clock, {
    requestId: request.id, type: step === 'ask' ? 'callback_asked' : 'callback_reminded', actor: SYSTEM, channel: 'system',
    data: { residentId: row.residentId, via: draft?.channel ?? 'miniprogram' },
  })
  return true
}

/** Reporter rows of requests awaiting this resident's 回访 answer (for the mini-program's "please rate" list). */
export async function awaitingCallbacks(em: EntityManager, residentId: number) {
  return em.find(RequestReporter, { where: { residentId, callbackStatus: In([...AWAITING]) }, order: { id: 'DESC' } })
}
