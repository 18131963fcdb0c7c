import type { ChatRoom, InboxMessage, Staff } from '../src/db/entities/index.js'
import { inTransaction } from '../src/db/transaction.js'
import { DomainError } from '../src/errors.js'
import type { IntakeMessage } from '../src/intake/pipeline.js'
import { parseCallbackAnswer } from '../src/jobs/callbacks.js'
import { findOrCreateWechatResident } from '../src/people/residents.js'
import { dmReply, finish, reply, type Also, type Handling, type Result } from './handling.js'
import { markProcessed } from '../src/inbox/inbox.js'
import { openRequestsOf } from './lookups.js'
import { mentionsBot, stripMentions } from './matchers.js'
import * as T from './texts.js'

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

  const resident = await inTransaction(h.ctx.db, (em) => findOrCreateWechatResident(em, { communityId, wechatName: row.senderName!, contactId: row.senderId }))
  const msg: IntakeMessage = {
    communityId, source: reporterStaff ? 'staff' : room ? 'group' : 'private', text, residentId: resident.id, chatRoomId: room?.id ?? null,
    causeKey: `inbox:${row.id}`, acknowledge: room ? 'room' : 'dm', reporterStaffId: reporterStaff?.id ?? null,
    within: async (em, result) => {
      await also?.(em)
      await markProcessed(em, h.ctx.clock, row, result.request.id)
    },
  }
  let result
  try {
    result = await h.runIntake({ ...h.ctx, classifier: h.classifier }, msg)
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    // Too long / empty: tell the sender why (in a group only when they @-mentioned the bot).
    return finish(h, row, { outcome: 'rejected', replies: answers ? [reply(row, err.message)] : [], also })
  }
  if (result.kind !== 'chatter') return { outcome: result.kind, requestId: result.request.id }
  // "没人来" / "还没修好" with no 回访 awaiting (another reporter already reopened it): show where things stand.
  if (!room && parseCallbackAnswer(text)?.solved === false) {
    const rows = await openRequestsOf(h.ctx.db, row.senderName!, communityId)
    if (rows.length) return finish(h, row, { outcome: 'progress', replies: [dmReply(row, T.progressList(rows))], also })
  }
  if (reporterStaff) return finish(h, row, { outcome: 'help', replies: [dmReply(row, T.STAFF_REPORT_UNCLEAR)], also })
  const why = T.notFiled(result.classification.reasons, !!room)
  return finish(h, row, { outcome: answers ? 'help' : 'chatter', replies: answers ? [reply(row, why)] : [], also })
}
