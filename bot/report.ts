import type { ChatRoom, InboxMessage, Staff } from '../src/db/entities/index.js'
import { OutboxMessage } from '../src/db/entities/index.js'
import { dialectOf } from '../src/db/dataSource.js'
import { inTransaction } from '../src/db/transaction.js'
import { DomainError } from '../src/errors.js'
import type { IntakeMessage } from '../src/intake/pipeline.js'
import { parseCallbackAnswer } from '../src/jobs/callbacks.js'
import { findOrCreateWechatResident } from '../src/people/residents.js'
import { dmReply, finish, reply, type Also, type Handling, type Result } from './handling.js'
import { openRequestsOf } from './lookups.js'
import { mentionsBot, stripMentions } from './matchers.js'
import * as T from './texts.js'
import { noteRosterResidentReport } from '../src/care/contact.js'

/**
 * A report (上报) from a group or a private chat — or a staff member's 巡查上报 — goes through intake: it
 * becomes a request, joins an open one, or is chatter. Intake writes its own acknowledgement, keyed by
 * `inbox:<id>`, so a row whose intake already committed is only marked processed.
 */
export async function intakeText(
  h: Handling, row: InboxMessage, raw: string, communityId: number, room: ChatRoom | null, also?: Also, reporterStaff?: Staff,
): Promise<Result> {
  const mentioned = row.payload?.mentionSelf === true || mentionsBot(raw, h.names())
  const text = stripMentions(raw, h.names())
  const help = room ? T.GROUP_HELP : T.RESIDENT_HELP
  if (!text) return finish(h, row, { outcome: mentioned || !room ? 'help' : 'ignored', replies: mentioned || !room ? [reply(row, help)] : [], also })
  if (await intakeAlreadyRan(h, row)) return finish(h, row, { outcome: 'already_done', also })

  const resident = await inTransaction(h.ctx.db, (em) => findOrCreateWechatResident(em, { communityId, wechatName: row.senderName!, contactId: row.senderId }))
  const msg: IntakeMessage = {
    communityId, source: reporterStaff ? 'staff' : room ? 'group' : 'private', text, residentId: resident.id, chatRoomId: room?.id ?? null,
    causeKey: `inbox:${row.id}`, acknowledge: room ? 'room' : 'dm', reporterStaffId: reporterStaff?.id ?? null,
  }
  let result
  try {
    result = await h.runIntake({ ...h.ctx, classifier: h.classifier }, msg)
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    // Too long / empty: tell a private sender; a group is not lectured.
    return finish(h, row, { outcome: 'rejected', replies: room ? [] : [dmReply(row, err.message)], also })
  }
  if (result.kind === 'chatter') {
    // "没人来" / "还没修好" with no 回访 awaiting (another reporter already reopened it): show where things stand.
    if (!room && parseCallbackAnswer(text)?.solved === false) {
      const rows = await openRequestsOf(h.ctx.db, row.senderName!, communityId)
      if (rows.length) return finish(h, row, { outcome: 'progress', replies: [dmReply(row, T.progressList(rows))], also })
    }
    if (reporterStaff) return finish(h, row, { outcome: 'help', replies: [dmReply(row, T.STAFF_REPORT_UNCLEAR)], also })
    const replies = mentioned || !room ? [reply(row, help)] : []
    return finish(h, row, { outcome: replies.length ? 'help' : 'chatter', replies, also })
  }
  // A roster resident's own report means they were heard from: their visit clock restarts.
  const requestId = result.request.id
  const heard: Also = async (em) => {
    await also?.(em)
    if (!reporterStaff) await noteRosterResidentReport(em, h.ctx.clock, { communityId, wechatName: row.senderName!, requestId, encryptionKey: h.ctx.config.DATA_ENCRYPTION_KEY })
  }
  return finish(h, row, { outcome: result.kind, requestId, also: heard })
}

/** Did intake already commit for this row (crash before it was marked processed)? Its outbox keys start with the cause key. */
async function intakeAlreadyRan(h: Handling, row: InboxMessage): Promise<boolean> {
  const db = h.ctx.db
  const prefix = `inbox:${row.id}:`
  // A prefix match that can use the unique index: LIKE on MySQL; GLOB on SQLite (its LIKE ignores case and the index).
  const op = dialectOf(db) === 'sqlite' ? 'GLOB' : 'LIKE'
  const n = await db.getRepository(OutboxMessage).createQueryBuilder('o')
    .where(`o.dedupe_key ${op} :prefix`, { prefix: `${prefix}${op === 'GLOB' ? '*' : '%'}` })
    .getCount()
  return n > 0
}
