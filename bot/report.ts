import type { EntityManager } from 'typeorm'
import type { ChatRoom, InboxMessage, Staff } from '../src/db/entities/index.js'
import { DomainError } from '../src/errors.js'
import type { IntakeMessage } from '../src/intake/pipeline.js'
import { findOrCreateWechatResident } from '../src/people/residents.js'
import { askWhatIsMissing } from './conversation.js'
import { callbackChatter } from './callbacks.js'
import { dmReply, finish, reply, type Also, type Handling, type Result } from './handling.js'
import { markProcessed } from '../src/inbox/inbox.js'
import { mentionsBot, stripMentions } from './matchers.js'
import { senderOf } from './lookups.js'
import * as T from './texts.js'
import { noteRosterResidentReport } from '../src/care/contact.js'
import { careHash } from '../src/care/crypto.js'
import { cachedCommunity } from '../src/community/cache.js'

/**
 * A report (上报) from a group or a private chat — or a staff member's 巡查上报 — goes through intake: it
 * becomes a request, joins an open one, or is chatter. Intake writes its own acknowledgement; the inbox row
 * is marked processed in intake's own transaction, so a crash leaves either both or neither.
 * Whatever is not filed gets a reply saying why, in a private chat and when the bot was @-mentioned.
 */
export async function intakeText(
  h: Handling, row: InboxMessage, raw: string, communityId: number, room: ChatRoom | null, also?: Also, reporterStaff?: Staff,
): Promise<Result> {
  const mentioned = row.payload?.mentionSelf === true || mentionsBot(raw, h.names())
  const answers = mentioned || !room
  const text = stripMentions(raw, h.names())
  const help = room ? T.GROUP_HELP : T.RESIDENT_HELP
  if (!text) return finish(h, row, { outcome: answers ? 'help' : 'ignored', replies: answers ? [reply(row, help)] : [], also })

  // The sender's resident row is found (or made) inside intake's transaction, and only when something is filed.
  // Read with the sender's pending question before intake (bot/lookups.ts senderOf): not read again.
  const sender = await senderOf(h, row, communityId)
  const residentId = (em: EntityManager) => findOrCreateWechatResident(em, { communityId, wechatName: row.senderName!, contactId: row.senderId }, sender.resident)
  const msg: IntakeMessage = {
    communityId, source: reporterStaff ? 'staff' : room ? 'group' : 'private', text, residentId, chatRoomId: room?.id ?? null, chatRoom: room,
    // Read only when something is written (an unsaved row has no id yet: chatter is written in one statement).
    get causeKey() { return `inbox:${row.id}` }, acknowledge: room ? 'room' : 'dm', reporterStaffId: reporterStaff?.id ?? null,
    within: async (em, result) => {
      await also?.(em)
      // A roster resident's own report means they were heard from: their visit clock restarts.
      // (The cached roster says whether they are on it; read in this transaction already, it costs no statement.)
      const key = h.ctx.config.DATA_ENCRYPTION_KEY
      if (!reporterStaff && (await cachedCommunity(em, communityId)).rosterWechatHashes.has(careHash(row.senderName!, key))) {
        await noteRosterResidentReport(em, h.ctx.clock, { communityId, wechatName: row.senderName!, requestId: result.request.id, encryptionKey: key })
      }
      // The bot asks once for a place the routing needs, and waits for a promised photo.
      if (result.kind === 'created' && !reporterStaff) await askWhatIsMissing(h, em, row, result.request, room, text)
      await markProcessed(em, h.ctx.clock, row, result.request.id)
    },
  }
  let result
  try {
    result = await h.runIntake({ ...h.ctx, classifier: h.classifier }, msg)
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    // Too long: the sender is always told why, where they wrote (a report is never dropped without a word);
    // empty: in a group only when they @-mentioned the bot. The message itself stays in the inbox either way.
    const tooLong = err.details?.max !== undefined
    return finish(h, row, { outcome: 'rejected', replies: answers || tooLong ? [reply(row, err.message)] : [], also })
  }
  if (result.kind !== 'chatter') return { outcome: result.kind, requestId: result.request.id }
  // "没人来" after a 重办 is recorded and acknowledged; "4" while a 回访 is asked gets the hint.
  if (!room && !reporterStaff) {
    const handled = await callbackChatter(h, row, communityId, text, also)
    if (handled) return handled
  }
  if (reporterStaff) return finish(h, row, { outcome: 'help', replies: [dmReply(row, T.STAFF_REPORT_UNCLEAR)], also })
  const why = T.notFiled(result.classification.reasons, !!room)
  return finish(h, row, { outcome: answers ? 'help' : 'chatter', replies: answers ? [reply(row, why)] : [], also })
}
