import { MoreThanOrEqual, type EntityManager } from 'typeorm'
import { buildingFromRoom, extractLocation, isPlaceAnswer } from '../src/intake/location.js'
import { loadCommunity, staffById } from '../src/community/snapshot.js'
import { cachedCommunity } from '../src/community/cache.js'
import { noticeFor, noticeTopics, recordNotice } from '../src/conversation/notices.js'
import { chatKeyOf, closePrompt, openPrompt, openPrompts, pendingNotePrompt, type OpenPromptProps } from '../src/conversation/prompts.js'
import { RequestReporter, Resident, ServiceRequest, Staff, type ChatRoom, type InboxMessage } from '../src/db/entities/index.js'
import { inTransaction } from '../src/db/transaction.js'
import { DomainError } from '../src/errors.js'
import { enqueue, type OutboxDraft } from '../src/outbox/outbox.js'
import { findOrCreateWechatResident } from '../src/people/residents.js'
import { resolveRequest, setRequestLocation } from '../src/requests/index.js'
import { caseCommand } from './caseCommands.js'
import { isThanks, parseCaseCommand, promisesPhoto } from './caseMatchers.js'
import { dmReply, finish, reply, type Also, type Handling, type Result } from './handling.js'
import { markProcessed } from '../src/inbox/inbox.js'
import { senderOf, senderStaff } from './lookups.js'
import { isHelpRequest, isProgressQuery, mentionsBot, parseStaffReport } from './matchers.js'
import { intakeText } from './report.js'
import * as T from './texts.js'

/**
 * What the bot does with a message before (or instead of) intake: case commands, staff talking in groups,
 * answers to questions it asked (几号楼几单元, a promised photo, a 完成 note), questions about a notice, thanks.
 * Each returns null when the message is none of these and goes on to intake as before.
 */

/** A group text from anyone: staff speak in notices and replies (a request only with 上报); residents may answer the bot. */
export async function groupConversation(h: Handling, row: InboxMessage, clean: string, room: ChatRoom, also: Also): Promise<Result | null> {
  const staff = await senderStaff(h.ctx.db, row, room.communityId)
  const command = parseCaseCommand(clean)
  if (command) return caseCommand(h, row, room.communityId, staff, command, also)
  if (staff) return staffInGroup(h, row, clean, room, staff, also)
  const mentioned = row.payload?.mentionSelf === true || mentionsBot(row.text ?? '', h.names())
  return await answerPrompt(h, row, room.communityId, clean, also)
    ?? await photoPromise(h, row, room.communityId, clean, also)
    ?? await answerFromNotice(h, row, room.communityId, clean, room, also)
    ?? (mentioned && isThanks(clean) ? finish(h, row, { outcome: 'thanks', replies: [reply(row, T.THANKS_REPLY)], also }) : null)
}

/** A resident's private text (after 进度 and 回访 answers): case commands, answers to the bot's questions, thanks. */
export async function residentConversation(h: Handling, row: InboxMessage, communityId: number, clean: string): Promise<Result | null> {
  const command = parseCaseCommand(clean)
  if (command) return caseCommand(h, row, communityId, null, command)
  if (isThanks(clean)) return finish(h, row, { outcome: 'thanks', replies: [dmReply(row, T.THANKS_REPLY)] })
  return await answerPrompt(h, row, communityId, clean) ?? await photoPromise(h, row, communityId, clean) ?? await answerFromNotice(h, row, communityId, clean, null)
}

/** A staff member's private text that is not one of the closed-loop commands: case commands, the owed 完成 note, thanks. */
export async function staffConversation(h: Handling, row: InboxMessage, staff: Staff, clean: string): Promise<Result | null> {
  const command = parseCaseCommand(clean)
  if (command) return caseCommand(h, row, staff.communityId, staff, command)
  if (parseStaffReport(clean) || isProgressQuery(clean) || isHelpRequest(clean)) return null
  if (isThanks(clean)) return finish(h, row, { outcome: 'thanks', replies: [dmReply(row, T.THANKS_REPLY)] })
  const owed = await pendingNotePrompt(h.ctx.db.manager, h.ctx.clock, staff.id)
  if (owed) return resolveWithNote(h, row, staff, owed.id, owed.requestId, clean)
  return null
}

/** The reply to "办结需要写处理说明": the note, and the request is resolved with it. */
async function resolveWithNote(h: Handling, row: InboxMessage, staff: Staff, promptId: number, requestId: number, note: string): Promise<Result> {
  try {
    return await inTransaction(h.ctx.db, async (em) => {
      if (!await closePrompt(em, h.ctx.clock, promptId, 'answered')) throw new DomainError('prompt_gone', '这条说明已经收到了。')
      const r = await resolveRequest(em, h.ctx.clock, { requestId, staff, channel: 'private', note })
      await enqueue(em, h.ctx.clock, [dmReply(row, T.resolved(r))])
      await markProcessed(em, h.ctx.clock, row, r.id)
      return { outcome: 'command' as const, requestId: r.id }
    })
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    await inTransaction(h.ctx.db, (em) => closePrompt(em, h.ctx.clock, promptId, 'closed'))
    return finish(h, row, { outcome: 'command_rejected', replies: [dmReply(row, err.message)] })
  }
}

/** Staff in a group: `上报 …` is their report; a notice (停水, 停电, 电梯保养) is kept for residents' questions; the rest is talk. */
async function staffInGroup(h: Handling, row: InboxMessage, clean: string, room: ChatRoom, staff: Staff, also: Also): Promise<Result> {
  const report = parseStaffReport(clean)
  if (report) return intakeText(h, row, report, room.communityId, room, also, staff)
  const topics = noticeTopics(clean)
  if (!topics.length) return finish(h, row, { outcome: 'staff_message', also })
  return finish(h, row, {
    outcome: 'notice',
    also: async (em) => {
      await also(em)
      await recordNotice(em, h.ctx.clock, { communityId: room.communityId, chatRoomId: room.id, staffId: staff.id, text: clean, topics })
    },
  })
}

/** A resident asking about what a staff notice announced: answered from the notice, never a ticket (unless urgent). */
async function answerFromNotice(h: Handling, row: InboxMessage, communityId: number, clean: string, room: ChatRoom | null, also?: Also): Promise<Result | null> {
  const notice = await noticeFor(h.ctx.db.manager, h.ctx.clock, { communityId, chatRoomId: room?.id ?? null, text: clean })
  if (!notice) return null
  const c = await h.classifier.classify({ text: clean, room: room?.topic ?? 'private' }).catch(() => null)
  if (c?.urgency === 'urgent') return null
  const staff = await h.ctx.db.getRepository(Staff).findOneBy({ id: notice.staffId })
  return finish(h, row, { outcome: 'notice_answered', replies: [reply(row, T.fromNotice(staff?.name ?? '社区', notice.text))], also })
}

/**
 * The reporter's next message after "请问是几号楼几单元？": a message that is essentially a place fills the request
 * in; anything else (a new report that happens to name a building, too) closes the question, place left unknown,
 * and goes on as usual — so it is filed as its own request.
 */
async function answerPrompt(h: Handling, row: InboxMessage, communityId: number, clean: string, also?: Also): Promise<Result | null> {
  const { db, clock } = h.ctx
  const { prompt } = await senderOf(h, row, communityId)
  if (!prompt) return null
  const loc = extractLocation(clean)
  // "2单元" in a building's own group: that building's unit 2.
  const building = loc.building ?? (loc.unit ? buildingFromRoom(row.roomTopic) : null)
  if (!building || !isPlaceAnswer(clean)) {
    // Asked once: a message that does not answer it is read as itself.
    await inTransaction(db, (em) => closePrompt(em, clock, prompt.id, 'closed'))
    return null
  }
  try {
    return await inTransaction(db, async (em) => {
      await also?.(em)
      if (!await closePrompt(em, clock, prompt.id, 'answered')) throw new DomainError('prompt_gone', 'already answered')
      const resident = await findOrCreateWechatResident(em, { communityId, wechatName: row.senderName!, contactId: row.senderId })
      const { request, rerouted } = await setRequestLocation(em, clock, {
        requestId: prompt.requestId, communityId, by: { residentId: resident.id }, building, unit: loc.unit, room: loc.room,
        channel: row.roomTopic ? 'group' : 'private',
      })
      const community = await loadCommunity(em, communityId)
      await enqueue(em, clock, [reply(row, T.locationFilled(request, rerouted?.name ?? staffById(community, request.assigneeStaffId)?.name ?? null))])
      await markProcessed(em, clock, row, request.id)
      return { outcome: 'answered' as const, requestId: request.id }
    })
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    h.ctx.logger.info({ inboxId: row.id, err: err.message }, 'location answer not applied; read as a new message')
    return null
  }
}

/** "我拍个照片" right after a report: the next photo in this chat goes to that request. */
async function photoPromise(h: Handling, row: InboxMessage, communityId: number, clean: string, also?: Also): Promise<Result | null> {
  if (!promisesPhoto(clean) || clean.length > 15) return null
  const { db, clock } = h.ctx
  const resident = await db.getRepository(Resident).findOne({ where: { communityId, wechatName: row.senderName! }, order: { id: 'ASC' } })
  const latest = resident && await db.getRepository(RequestReporter).findOne({
    where: { residentId: resident.id, createdAt: MoreThanOrEqual(new Date(clock.now().getTime() - 30 * 60_000)) }, order: { id: 'DESC' },
  })
  const request = latest && await db.getRepository(ServiceRequest).findOneBy({ id: latest.requestId })
  if (!request) return null
  return finish(h, row, {
    outcome: 'answered', requestId: request.id, replies: [reply(row, T.photoAwaited(request.no))],
    also: async (em) => {
      await also?.(em)
      await openPrompt(em, clock, { communityId, chatKey: chatKeyOf(row.roomTopic), senderName: row.senderName!, kind: 'photo', requestId: request.id })
    },
  })
}

/**
 * After intake created a request, in its transaction: ask once for a place the routing needs — always when an
 * urgent one names no building, else when no grid could be found — and wait for a promised photo.
 */
export async function askWhatIsMissing(h: Handling, em: EntityManager, row: InboxMessage, request: ServiceRequest, room: ChatRoom | null, text: string): Promise<void> {
  const { asks, prompts } = await missingQuestions(em, row, request, room, text)
  await openPrompts(em, h.ctx.clock, prompts)
  await enqueue(em, h.ctx.clock, asks)
}

/** What askWhatIsMissing would ask, not yet opened: the batch (bot/groupBatch.ts) opens a batch's questions in one go. */
export async function missingQuestions(em: EntityManager, row: InboxMessage, request: ServiceRequest, room: ChatRoom | null, text: string): Promise<{ asks: OutboxDraft[]; prompts: OpenPromptProps[] }> {
  const community = await cachedCommunity(em, request.communityId)
  const specialist = !!community.community.settings.routing?.[request.category]
  // Urgent: whenever the message itself names no building, even in a building's own group, whose name fills in
  // request.building (whoever runs there needs the unit). Otherwise only when the routing found no grid —
  // neither from the text nor from the room — and no specialist owns the category.
  const roomBuildingOnly = request.building !== null && request.unit === null
    && request.building === buildingFromRoom(room?.topic) && extractLocation(text).building === null
  const askPlace = (request.urgency === 'urgent' && (!request.building || roomBuildingOnly))
    || (!request.building && request.gridId == null && !specialist && !buildingFromRoom(room?.topic))
  const base = { communityId: request.communityId, chatKey: chatKeyOf(row.roomTopic), senderName: row.senderName!, requestId: request.id }
  const asks: OutboxDraft[] = []
  const prompts: OpenPromptProps[] = []
  if (askPlace) {
    prompts.push({ ...base, kind: 'location' })
    asks.push({ ...reply(row, T.ASK_LOCATION), dedupeKey: `inbox:${row.id}:ask`, requestId: request.id })
  }
  if (promisesPhoto(text)) prompts.push({ ...base, kind: 'photo' })
  return { asks, prompts }
}
