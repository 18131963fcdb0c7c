import { careHash } from '../src/care/crypto.js'
import { cachedCommunity, configCache } from '../src/community/cache.js'
import { askedTopics } from '../src/conversation/notices.js'
import type { ChatRoom, InboxMessage } from '../src/db/entities/index.js'
import type { Classification } from '../src/intake/classifier/types.js'
import { separateInstructions } from '../src/intake/instructions.js'
import { MAX_TEXT_LENGTH, textForClassification } from '../src/intake/run.js'
import { isFollowUpReply } from '../src/intake/similarity.js'
import { parseCallbackAnswer } from '../src/requests/callbackAnswer.js'
import { parseCaseCommand, promisesPhoto } from './caseMatchers.js'
import { findRoom } from './group.js'
import type { Handling } from './handling.js'
import { senderStaff } from './lookups.js'
import { isStaffCommand, mentionsBot, parseBindCommand, parseVerifyCommand, stripMentions } from './matchers.js'

/** A group text that handleRoom would take straight to intake: chatter, or a report with its classification. */
export type PlainGroupText = ({ kind: 'chatter' } | { kind: 'report'; text: string; classification: Classification }) & {
  room: ChatRoom
  /** What the caller must rule out first (bot/groupBatch.ts, one SELECT for a batch): */
  unless: {
    /** a question about a notice (answerFromNotice): any unexpired notice in the community */
    notice: boolean
    /** a rating such as 满意 (callbackAnswer): a 回访 of the sender's that it could answer */
    rating: boolean
  }
}

/**
 * Whether a kept group text is plain — what handleRoom would do with it depends on nothing but its classification,
 * the sender's open question (read by the caller, in one SELECT for a batch) and the merge rule — and if so what it is.
 * Null for everything else, which is handled one message at a time: commands (绑定, 认证, 完成 …), a staff sender, an
 * @-mention of the bot (it answers), a promised photo, a question about a notice, a 回访 rating, "+1", instructions
 * to the bot, an unbound room or a room whose WeChat id is new, an over-long text, a 关爱对象's report. Reads only
 * the configuration cache. Each condition is the one the handler it stands for tests, in the same order.
 */
/** What plainGroupText reads of a message: a kept row, or a message not kept yet (a batch reads ahead). */
export type GroupText = Pick<InboxMessage, 'kind' | 'roomTopic' | 'roomId' | 'senderName' | 'senderId' | 'text' | 'payload'>

export async function plainGroupText(h: Handling, row: GroupText): Promise<PlainGroupText | null> {
  if (row.kind !== 'text' || !row.roomTopic || !row.senderName) return null
  const names = h.names()
  const raw = row.text ?? ''
  const clean = stripMentions(raw, names)
  // handleRoom
  if (parseBindCommand(clean) || parseVerifyCommand(clean)) return null
  const room = await findRoom(h, row.roomTopic, row.roomId)
  if (!room || (row.roomId && room.wechatRoomId !== row.roomId)) return null
  if (isStaffCommand(clean)) return null
  // groupConversation: staff, case commands, answers to the bot (the sender's question: the caller), photos, notices, thanks
  if (typeof row.payload?.alias === 'string' || await senderStaff(h.ctx.db, row, room.communityId)) return null
  if (parseCaseCommand(clean)) return null
  if (row.payload?.mentionSelf === true || mentionsBot(raw, names)) return null
  if (promisesPhoto(clean) && clean.length <= 15) return null
  // callbackAnswer: in a group only a rating is taken
  const unless = { notice: askedTopics(clean).length > 0, rating: !!parseCallbackAnswer(clean)?.solved }
  // intakeText → runIntake: instructions to the bot are never run; a problem beside one is classified on its own
  const text = clean.trim()
  if (!text || text.length > MAX_TEXT_LENGTH || isFollowUpReply(text)) return null
  const { instruction, problem } = separateInstructions(text)
  if (!problem) return { kind: 'chatter', room, unless }
  const read = await h.classifier.classify({ text: textForClassification(problem), room: room.topic })
  const classification = instruction ? { ...read, reasons: [...read.reasons, 'instruction_ignored'] } : read
  if (!classification.isRequest) return { kind: 'chatter', room, unless }
  // A 关爱对象's own report restarts their visit clock (intakeText's within): one at a time. The cached snapshot is
  // confirmed by the batch's transaction (a stale one sends the batch the usual way).
  const community = configCache(h.ctx.db).peek(room.communityId) ?? await cachedCommunity(h.ctx.db.manager, room.communityId)
  if (community.rosterWechatHashes.has(careHash(row.senderName!, h.ctx.config.DATA_ENCRYPTION_KEY))) return null
  return { kind: 'report', room, text, classification, unless }
}
