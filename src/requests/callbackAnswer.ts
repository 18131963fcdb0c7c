import { In, MoreThanOrEqual, type EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { loadCommunity, staffById } from '../community/snapshot.js'
import { RequestEvent, RequestReporter, Resident, ServiceRequest, type Channel, type Rating } from '../db/entities/index.js'
import { enqueue } from '../outbox/outbox.js'
import { paddedList, placeholders } from '../db/statementShapes.js'
import { AWAITING_CALLBACK, CallbackAlreadyAnsweredError, CallbackNotAwaitedError, type CallbackStatus } from './callbackStateMachine.js'
import { recordEvent } from './events.js'
import { lockRequest } from './lifecycle.js'
import { answerRating, meansNotFixed, type Complaint, type RatingOutcome } from './feedback.js'
import { draftToResident, notifyStaff } from './notify.js'
import { OPEN_STATUSES, STATUS_NAMES, type RequestStatus } from './stateMachine.js'

// What residents mean when they answer the 回访 question, in words or with a digit.

export type CallbackRating = Exclude<Rating, 'no_answer'>
export interface CallbackAnswer {
  rating: CallbackRating
  /** false only when the resident says the problem is still there (还没修好, 没人来 …) */
  solved: boolean
  /** 不满意 about how it went rather than whether it is fixed: 拖了好久 (speed), 态度不好 (attitude) */
  complaint?: Exclude<Complaint, 'other'>
}

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
/** A complaint about how long it took: the problem may well be fixed. */
const SPEED = /拖(?:了|得)?(?:好久|很久|太久|这么久|半天|好几天|几天|一周|一个星期)|拖拉|拖沓|太慢|很慢|好慢|慢死|效率(?:太|很)?(?:低|差)|等了?(?:好久|很久|太久|半天|好几天|几天)|才来|才修|磨蹭|不及时/
const ATTITUDE = /态度(?:不好|不行|差|很差|太差|恶劣|生硬|冷淡)|不耐烦|爱答不理|爱理不理|不礼貌|没礼貌|凶巴巴|很凶|太凶/
const DIGIT = /^([123])(?=$|满意|基本满意|不满意|[^\p{L}\p{N}])/u
/** Longer messages without a leading digit are treated as new reports, not 回访 answers. */
const MAX_WORD_ANSWER = 24
const RATING_BY_DIGIT: Record<string, CallbackRating> = { '1': 'satisfied', '2': 'basically_satisfied', '3': 'unsatisfied' }

const complaintIn = (s: string): CallbackAnswer['complaint'] => (SPEED.test(s) ? 'speed' : ATTITUDE.test(s) ? 'attitude' : undefined)
const answer = (rating: CallbackRating, solved: boolean, complaint?: CallbackAnswer['complaint']): CallbackAnswer => (complaint ? { rating, solved, complaint } : { rating, solved })

/**
 * A resident's reply to the 回访 question, or null when the text is not an answer: `1` 满意 / `2` 基本满意 /
 * `3` 不满意 (full-width １２３ too), or words — 满意了, 挺好, 谢谢已经好了 (satisfied); 还行, 一般, 凑合
 * (basically satisfied); 不满意 (unsatisfied); 还没修好, 没人来, 没解决, 还是坏的 (unsatisfied, not solved);
 * 不太满意，拖了好久 / 态度不好 (unsatisfied, solved, with a complaint about speed or attitude).
 * Questions and long messages without a leading digit are not answers (they may be new reports).
 */
export function parseCallbackAnswer(text: string): CallbackAnswer | null {
  if (typeof text !== 'string') return null
  const trimmed = text.normalize('NFKC').replace(/[\uFE0F\u20E3]/g, '').trim()
  const digit = DIGIT.exec(trimmed)
  if (digit) {
    const rest = compact(trimmed.slice(1))
    if (/^\d/.test(rest)) return null
    const rating = RATING_BY_DIGIT[digit[1]!]!
    return answer(rating, !NOT_SOLVED.test(rest), rating === 'unsatisfied' ? complaintIn(rest) : undefined)
  }
  // "3号楼…", "12" : a number that is not a one-tap answer starts a new report, not a rating.
  if (/^\d/.test(trimmed)) return null
  const s = compact(trimmed)
  if (!s || s.length > MAX_WORD_ANSWER) return null
  if (NOT_SOLVED.test(s)) return answer('unsatisfied', false)
  if (/[?？]|吗$|么$/.test(trimmed)) return null
  const complaint = complaintIn(s)
  if (UNSATISFIED.test(s) || complaint) return answer('unsatisfied', true, complaint)
  if (BASIC.test(s)) return answer('basically_satisfied', true)
  if (SATISFIED.test(s)) return answer('satisfied', true)
  return null
}

const everywhere = (r: RegExp) => new RegExp(r.source, 'g')
const ANSWER_WORDS = [NOT_SOLVED, UNSATISFIED, SPEED, ATTITUDE].map(everywhere)
/** Particles and words that come with a bare answer ("还是没人来啊", "没修好呢") without naming anything. */
const FILLER = /[了的呢啊呀吧嘛哦噢喔啦都也还就是人来修]/g

/**
 * A private message that can only be about the sender's own request, never a new report: a bare number ("4",
 * read against an awaited 回访) or a not-fixed / unsatisfied answer that names nothing else ("没人来", "还没修好",
 * not "电梯又坏了"). The bot takes these before intake, so a classifier that reads "没人来" as a request cannot file it again.
 */
export function isBareCallbackReply(text: string): boolean {
  if (typeof text !== 'string') return false
  const s = compact(text)
  if (/^\d{1,3}$/.test(s)) return true
  const parsed = parseCallbackAnswer(text)
  if (!parsed || parsed.rating !== 'unsatisfied' || /^\d/.test(s)) return false
  return ANSWER_WORDS.reduce((rest, words) => rest.replace(words, ''), s).replace(FILLER, '') === ''
}

/** A one-tap answer and nothing else: "1", "３", "2️⃣". */
export const isBareDigit = (text: string) => typeof text === 'string' && /^\d$/.test(compact(text))

/** A bare digit before the 回访 question was sent: not yet a rating (and never a new report). */
export const callbackNotAskedYetText = (no: string) => `工单 ${no} 刚办结，稍后我们会发回访消息请您评价，收到后再回复数字即可；问题没解决请直接说明情况。`

/** The one-line hint for an answer we cannot read ("4", "嗯") while a 回访 awaits. */
export const callbackHintText = (no: string) => `请回复数字评价工单 ${no}：1 满意、2 基本满意、3 不满意；问题没解决请直接说明情况。`

export interface CallbackAnswerResult {
  requestId: number
  requestNo: string
  rating: CallbackRating
  solved: boolean
  /** already_answered: a repeat, told kindly; follow_up: the request was reopened meanwhile, kept as a comment */
  outcome: RatingOutcome | 'already_answered' | 'follow_up'
  status: RequestStatus
}

/** An answer this long after a request closed as no_answer is still recorded (it may have raced the job). */
const LATE_ANSWER_MS = 24 * 3600_000
/** A second reply this soon after an answer is told kindly that the first one counted. */
const REPEAT_ANSWER_MS = 30 * 60_000

/** The 回访 this resident is most likely answering: asked or reminded first, the most recent first; pending ones too (unless askedOnly). */
export async function awaitedCallbackOf(em: EntityManager, residentId: number, opts: { askedOnly?: boolean } = {}): Promise<RequestReporter | null> {
  const statuses: readonly CallbackStatus[] = opts.askedOnly ? ['asked', 'reminded'] : AWAITING_CALLBACK
  const rows = await em.getRepository(RequestReporter).createQueryBuilder('rr')
    .innerJoin(ServiceRequest, 'r', 'r.id = rr.request_id')
    .where('rr.resident_id = :resident AND rr.callback_status IN (:...awaiting)', { resident: residentId, awaiting: statuses })
    .andWhere('r.status IN (:...statuses)', { statuses: ['resolved', 'closed'] })
    .getMany()
  const rank = (r: RequestReporter) => (r.callbackStatus === 'pending' ? 0 : 1)
  const time = (r: RequestReporter) => (r.callbackAskedAt ?? r.callbackDueAt ?? r.createdAt).getTime()
  return rows.sort((a, b) => rank(b) - rank(a) || time(b) - time(a) || b.id - a.id)[0] ?? null
}

/**
 * Applies a resident's private reply to their most recent awaited 回访 (asked or reminded first, else a
 * pending one: the resident may answer the 办结 notice before being asked). Returns null when nothing
 * awaits an answer from them or the text is not an answer. A second reply racing the first (or arriving
 * after it) gets `already_answered`, with a kind message to the resident. Run inside `inTransaction`.
 */
export async function answerCallback(em: EntityManager, clock: Clock, p: { residentId: number; text: string; channel: Channel; askedOnly?: boolean }): Promise<CallbackAnswerResult | null> {
  const parsed = parseCallbackAnswer(p.text)
  if (!parsed) return null
  // A bare 1/2/3 only answers a 回访 actually asked: before that it is a digit like any other. Words (修好了，谢谢)
  // may answer the 办结 notice before the question comes.
  const askedOnly = p.askedOnly || isBareDigit(p.text)
  const row = await awaitedCallbackOf(em, p.residentId, { askedOnly }) ?? await lateCallbackOf(em, clock, p.residentId)
  if (!row) return alreadyAnsweredRecently(em, clock, p, parsed)
  // The digit "3" says 不满意 but not why: meansNotFixed treats it as not fixed; a named complaint keeps a fixed problem closed.
  const props = { requestId: row.requestId, residentId: p.residentId, rating: parsed.rating, complaint: parsed.complaint ?? null, words: p.text.trim().slice(0, 500) || null, channel: p.channel }
  const solved = parsed.solved === false ? false : parsed.complaint ? true : null
  try {
    const { request, outcome } = await answerRating(em, clock, { ...props, solved })
    return { requestId: request.id, requestNo: request.no, rating: parsed.rating, solved: !meansNotFixed({ ...props, solved }), outcome, status: request.status }
  } catch (err) {
    if (err instanceof CallbackAlreadyAnsweredError) return tellAlreadyAnswered(em, clock, p.residentId, row.requestId, parsed)
    // Another reporter reopened it a moment before: what this resident said is kept as their follow-up.
    if (err instanceof CallbackNotAwaitedError) {
      const f = await recordFollowUp(em, clock, { residentId: p.residentId, text: p.text, channel: p.channel, requestId: row.requestId })
      if (f) {
        const request = await em.findOneOrFail(ServiceRequest, { where: { id: f.requestId } })
        return { requestId: request.id, requestNo: request.no, rating: parsed.rating, solved: parsed.solved, outcome: 'follow_up', status: request.status }
      }
    }
    throw err
  }
}

async function tellAlreadyAnswered(em: EntityManager, clock: Clock, residentId: number, requestId: number, parsed: CallbackAnswer): Promise<CallbackAnswerResult> {
  // Locked read: the current status (a plain read may see the snapshot from before a racing 重办 committed).
  const request = await lockRequest(em, requestId)
  const resident = await em.findOne(Resident, { where: { id: residentId } })
  const stillOpen = OPEN_STATUSES.includes(request.status)
  const d = resident && draftToResident(resident, `callback:again:${requestId}:${clock.now().getTime()}`, new CallbackAlreadyAnsweredError(request.no, stillOpen).message, { requestId })
  if (d) await enqueue(em, clock, [d])
  return { requestId, requestNo: request.no, rating: parsed.rating, solved: parsed.solved, outcome: 'already_answered', status: request.status }
}

/** A 回访 that just ended as no_answer (the close job may have run a moment before the answer arrived). */
async function lateCallbackOf(em: EntityManager, clock: Clock, residentId: number): Promise<RequestReporter | null> {
  return em.getRepository(RequestReporter).createQueryBuilder('rr')
    .innerJoin(ServiceRequest, 'r', 'r.id = rr.request_id')
    .where('rr.resident_id = :resident AND rr.callback_status = :s AND r.status = :closed AND r.closed_at >= :since', {
      resident: residentId, s: 'no_answer', closed: 'closed', since: new Date(clock.now().getTime() - LATE_ANSWER_MS),
    })
    .orderBy('r.closed_at', 'DESC').addOrderBy('rr.id', 'DESC').getOne()
}

/**
 * A second answer soon after the first. Words after a 重办 ("3", then "没人来") are the resident telling us more:
 * kept as their comment, passed to the assignee and acknowledged. A repeat (a double tap, two messages at once)
 * is told kindly that the first one counted.
 */
async function alreadyAnsweredRecently(em: EntityManager, clock: Clock, p: { residentId: number; text: string; channel: Channel }, parsed: CallbackAnswer): Promise<CallbackAnswerResult | null> {
  const last = await em.findOne(RequestEvent, {
    where: { type: 'callback_answered', actorType: 'resident', actorId: p.residentId, createdAt: MoreThanOrEqual(new Date(clock.now().getTime() - REPEAT_ANSWER_MS)) },
    order: { id: 'DESC' },
  })
  if (!last) return null
  const reopened = await em.findOne(ServiceRequest, { where: { id: last.requestId, status: In([...OPEN_STATUSES]) } })
  if (reopened && !isBareDigit(p.text)) {
    const f = await recordFollowUp(em, clock, { residentId: p.residentId, text: p.text, channel: p.channel, requestId: reopened.id })
    if (f) return { requestId: f.requestId, requestNo: f.requestNo, rating: parsed.rating, solved: parsed.solved, outcome: 'follow_up', status: reopened.status }
  }
  return tellAlreadyAnswered(em, clock, p.residentId, last.requestId, parsed)
}

/**
 * A 回访-like answer ("没人来", "还是坏的") from a reporter with nothing awaited, while their request is being
 * handled (typically after a 重办): recorded on the request as their comment, passed to the assignee and
 * acknowledged. Returns null when the resident has no open request.
 */
export async function recordFollowUp(em: EntityManager, clock: Clock, p: { residentId: number; text: string; channel: Channel; requestId?: number }) {
  const request = p.requestId != null ? await lockRequest(em, p.requestId) : await openRequestToFollow(em, p.residentId)
  if (!request || !OPEN_STATUSES.includes(request.status)) return null
  const words = p.text.trim().slice(0, 500)
  const event = await recordEvent(em, clock, { requestId: request.id, type: 'comment', actor: { type: 'resident', id: p.residentId }, channel: p.channel, data: { text: words, followUp: true } })
  const community = await loadCommunity(em, request.communityId)
  const assignee = staffById(community, request.assigneeStaffId)
  await notifyStaff(em, clock, request, [assignee], `followup:evt${event.id}`, `【居民反馈】工单 ${request.no}（${STATUS_NAMES[request.status]}）：“${words}”`)
  const resident = await em.findOne(Resident, { where: { id: p.residentId } })
  const text = `收到，您的反馈已记录${assignee ? `并转告负责人${assignee.name}` : ''}。工单 ${request.no} ${request.reopenCount > 0 ? '正在重新办理' : '正在办理'}，办好后会再请您评价。`
  const d = resident && draftToResident(resident, `followup:evt${event.id}`, text, { requestId: request.id })
  if (d) await enqueue(em, clock, [d])
  return { requestId: request.id, requestNo: request.no }
}

/** The reporter's open request a follow-up is about: a reopened one first, then the most recent. */
async function openRequestToFollow(em: EntityManager, residentId: number): Promise<ServiceRequest | null> {
  const mine = await em.find(RequestReporter, { where: { residentId }, order: { id: 'DESC' } })
  if (!mine.length) return null
  const open = await em.find(ServiceRequest, { where: { id: In(mine.map((m) => m.requestId)), status: In([...OPEN_STATUSES]) } })
  return open.sort((a, b) => Number(b.reopenCount > 0) - Number(a.reopenCount > 0) || b.updatedAt.getTime() - a.updatedAt.getTime() || b.id - a.id)[0] ?? null
}

/**
 * Of these residents, those whom answerCallback could find a 回访 for: a reporter on a request that is resolved or
 * closed, or was reopened (an answer after a 重办). Anyone else's "满意" answers nothing. One SELECT.
 */
export async function residentsWithCallbacks(em: EntityManager, residentIds: number[]): Promise<Set<number>> {
  if (!residentIds.length) return new Set()
  const ids = paddedList(residentIds)
  const rows: { p: number }[] = await em.query(
    `SELECT DISTINCT rr.resident_id AS p FROM request_reporters rr JOIN requests r ON r.id = rr.request_id WHERE rr.resident_id IN (${placeholders(ids.length)}) `
    + "AND (r.status IN ('resolved', 'closed') OR r.reopen_count > 0)",
    ids,
  )
  return new Set(rows.map((r) => Number(r.p)))
}
