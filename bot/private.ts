import { loadCommunity } from '../src/community/snapshot.js'
import { InboxMessage, type Staff } from '../src/db/entities/index.js'
import { redeemBindCode } from '../src/people/staffIdentity.js'
import { inTransaction } from '../src/db/transaction.js'
import { publicUrlOf } from '../src/config.js'
import { DomainError } from '../src/errors.js'
import { enqueue, PRIORITY } from '../src/outbox/outbox.js'
import { callbackAnswer, callbackReply } from './callbacks.js'
import { runStaffCommand } from './commands.js'
import { residentConversation, staffConversation } from './conversation.js'
import { dmReply, finish, type Also, type Handling, type Result } from './handling.js'
import { markProcessed } from '../src/inbox/inbox.js'
import { communityForResident, gridLeaderOf, openRequestsOf, senderStaff } from './lookups.js'
import { isHelpRequest, isProgressQuery, isStaffCommand, parseStaffCommand, parseStaffReport, parseVerifyCommand, stripMentions, type StaffCommand } from './matchers.js'
import { attachImage, transcribe } from './media.js'
import { intakeText } from './report.js'
import { visitCommand } from './visit.js'
import { parseVisitCommand } from './visitMatchers.js'
import { topicCommand } from './topic.js'
import { parseTopicCommand } from './topicMatchers.js'
import * as T from './texts.js'
import { wishPlace } from './wishPlace.js'
import * as VT from '../src/volunteers/texts.js'
import { redeemVolunteerBindCode, volunteerForContact } from '../src/volunteers/identity.js'
import { confirmCommand, volunteerCommand, volunteerStaffCommand, wishCommand } from './volunteer.js'
import { isClaimCommand, parseConfirmCommand, parseVolunteerCommand, parseVolunteerStaffCommand, parseWish } from './volunteerMatchers.js'

/**
 * A private chat. Staff: commands, 待办, 巡查上报. Residents: 帮助, 进度, 回访 answers, and reports (上报).
 * Photos and voice are handled first; a voice message then counts as what it says.
 */
export async function handlePrivate(h: Handling, row: InboxMessage): Promise<Result> {
  const db = h.ctx.db
  const staff = await senderStaff(db, row)
  if (row.kind === 'image') return attachImage(h, row, staff?.communityId ?? await communityForResident(db, row.senderName!))
  if (row.kind === 'other') return finish(h, row, { outcome: 'ignored' })
  let text = row.text ?? ''
  if (row.kind === 'voice') {
    const heard = await transcribe(h, row)
    if (!heard) {
      const communityId = staff ? null : await communityForResident(db, row.senderName!)
      const reply = staff ? T.STAFF_VOICE : T.voiceFallback(communityId == null ? null : await gridLeaderOf(db, row.senderName!, communityId))
      return finish(h, row, { outcome: 'voice_unreadable', replies: [dmReply(row, reply)] })
    }
    text = heard
  }
  const clean = stripMentions(text, h.names())
  const code = parseVerifyCommand(clean)
  if (code) return verify(h, row, code)
  const command = parseStaffCommand(clean)
  if (staff) {
    if (command) return staffCommand(h, row, staff, command)
    const visit = parseVisitCommand(clean)
    if (visit) return visitCommand(h, row, staff, visit)
    const topic = parseTopicCommand(clean)
    if (topic) return topicCommand(h, row, staff, topic)
    const forVolunteers = parseVolunteerStaffCommand(clean)
    if (forVolunteers) return volunteerStaffCommand(h, row, staff, forVolunteers)
    const confirm = parseConfirmCommand(clean)
    if (confirm) return confirmCommand(h, row, { communityId: staff.communityId, staff }, confirm)
    const said = await staffConversation(h, row, staff, clean)
    if (said) return said
    if (isProgressQuery(clean)) return staffCommand(h, row, staff, { kind: 'todo' })
    // 巡查上报: a staff member files what they saw (or what a resident told them) as a request of their own.
    const report = parseStaffReport(clean)
    if (report) return intakeText(h, row, report, staff.communityId, null, undefined, staff)
    return finish(h, row, { outcome: 'help', replies: [dmReply(row, `没看懂这条消息。\n${T.staffHelp(staff.role)}`)] })
  }
  // A bound volunteer's 认领 / 完成 / 放弃 / 积分 (a volunteer is a resident too for everything else).
  const volunteerSaid = parseVolunteerCommand(clean)
  if (volunteerSaid && volunteerSaid.kind !== 'help') {
    const remark = typeof row.payload?.alias === 'string' ? row.payload.alias : null
    const volunteer = await volunteerForContact(db.manager, { contactId: row.senderId, remark })
    if (volunteer) return volunteerCommand(h, row, volunteer, volunteerSaid)
    if (isClaimCommand(clean)) return finish(h, row, { outcome: 'refused', replies: [dmReply(row, VT.NOT_VOLUNTEER)] })
  }
  // 我的工单 is a resident's 进度 as much as a staff member's 待办: only a staff command proper is refused.
  if (isStaffCommand(clean) && !isProgressQuery(clean)) return finish(h, row, { outcome: 'refused', replies: [dmReply(row, T.NOT_STAFF)] })

  const communityId = await communityForResident(db, row.senderName!)
  if (communityId == null) return finish(h, row, { outcome: 'ignored' })
  if (isHelpRequest(clean)) return finish(h, row, { outcome: 'help', replies: [dmReply(row, T.RESIDENT_HELP)] })
  if (isProgressQuery(clean)) return progress(h, row, communityId)
  const wish = parseWish(clean)
  if (wish !== null) return wishCommand(h, row, communityId, wish)
  const confirm = parseConfirmCommand(clean)
  if (confirm) return confirmCommand(h, row, { communityId }, confirm)
  const answered = await callbackAnswer(h, row, communityId, clean)
  if (answered) return answered
  const said = await residentConversation(h, row, communityId, clean) ?? await wishPlace(h, row, communityId, clean)
  if (said) return said
  const replied = await callbackReply(h, row, communityId, clean)
  if (replied) return replied
  return intakeText(h, row, clean, communityId, null)
}

/**
 * `认证 123456`: binds this WeChat contact to the staff member the code was issued to, and has the bot give
 * the contact its remark (through the outbox, in the same transaction). Failed attempts are counted per contact.
 */
async function verify(h: Handling, row: InboxMessage, code: string): Promise<Result> {
  if (!row.senderId) return finish(h, row, { outcome: 'rejected', replies: [dmReply(row, T.VERIFY_UNAVAILABLE)] })
  const since = new Date(h.ctx.clock.now().getTime() - 3600_000)
  const failures = await h.ctx.db.getRepository(InboxMessage).createQueryBuilder('i')
    .where('i.sender_id = :id AND i.id <> :self AND i.received_at >= :since AND i.error = :failed', { id: row.senderId, self: row.id, since, failed: 'bind_code_invalid' })
    .getCount()
  try {
    return await inTransaction(h.ctx.db, async (em) => {
      // Staff and volunteers share one code space: the code says who it was issued to.
      const volunteer = await redeemVolunteerBindCode(em, h.ctx.clock, { code, contactId: row.senderId!, recentFailures: failures })
      const { remark, text } = volunteer
        ? { remark: volunteer.remark, text: VT.volunteerVerified(volunteer.volunteer.name) }
        : await redeemBindCode(em, h.ctx.clock, { code, contactId: row.senderId!, recentFailures: failures }).then((r) => ({ remark: r.remark, text: T.verified(r.staff.name) }))
      await enqueue(em, h.ctx.clock, [
        { dedupeKey: `inbox:${row.id}:remark`, channel: 'wechat_remark', target: row.senderId!, text: remark, priority: PRIORITY.urgent },
        dmReply(row, text),
      ])
      await markProcessed(em, h.ctx.clock, row)
      return { outcome: 'verified' as const }
    })
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    // Kept on the row, so that wrong guesses count against this contact.
    await inTransaction(h.ctx.db, async (em) => {
      await enqueue(em, h.ctx.clock, [dmReply(row, err.message)])
      await markProcessed(em, h.ctx.clock, row)
      await em.update(InboxMessage, { id: row.id }, { error: err.code })
    })
    return { outcome: 'rejected', requestId: null }
  }
}

async function progress(h: Handling, row: InboxMessage, communityId: number): Promise<Result> {
  const rows = await openRequestsOf(h.ctx.db, row.senderName!, communityId)
  return finish(h, row, { outcome: 'progress', replies: [dmReply(row, T.progressList(rows))] })
}

/** Runs a staff command, typed here or in a group; the answer always goes to the staff member privately. */
export async function staffCommand(h: Handling, row: InboxMessage, staff: Staff, command: StaffCommand, also?: Also): Promise<Result> {
  if (command.kind === 'help') return finish(h, row, { outcome: 'help', replies: [dmReply(row, T.staffHelp(staff.role))], also })
  if (command.kind === 'malformed') return finish(h, row, { outcome: 'command_rejected', replies: [dmReply(row, T.malformedCommand(command.verb, command.usage))], also })
  try {
    return await inTransaction(h.ctx.db, async (em) => {
      await also?.(em)
      const { reply, requestId } = await runStaffCommand(em, h.ctx.clock, staff, command, { publicUrl: publicUrlOf(h.ctx.config) })
      await enqueue(em, h.ctx.clock, [dmReply(row, reply)])
      await markProcessed(em, h.ctx.clock, row, requestId)
      return { outcome: 'command' as const, requestId }
    })
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    return finish(h, row, { outcome: 'command_rejected', replies: [dmReply(row, await commandErrorText(h, err, staff, command))], also })
  }
}

/** The domain's message, or a plainer one with the way out for the two mistakes staff make most. */
async function commandErrorText(h: Handling, err: DomainError, staff: Staff, command: StaffCommand): Promise<string> {
  if (err.code === 'request_not_found' && 'no' in command) return T.requestNotFound(command.no)
  if (err.code === 'staff_not_found' && command.kind === 'transfer') {
    const community = await loadCommunity(h.ctx.db.manager, staff.communityId)
    return T.staffNotFound(command.to, community.staff.filter((s) => s.active && s.id !== staff.id).map((s) => s.name))
  }
  return err.message
}
