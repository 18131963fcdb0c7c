import type { EntityManager } from 'typeorm'
import { loadCommunity } from '../src/community/snapshot.js'
import { Resident, Volunteer, type InboxMessage, type Staff } from '../src/db/entities/index.js'
import { inTransaction } from '../src/db/transaction.js'
import { DomainError, NotFoundError } from '../src/errors.js'
import { markProcessed } from '../src/inbox/inbox.js'
import { enqueue } from '../src/outbox/outbox.js'
import { knownPlaceOf } from '../src/people/knownPlace.js'
import { findOrCreateWechatResident } from '../src/people/residents.js'
import { volunteerFigures } from '../src/volunteers/figures.js'
import { balanceOf } from '../src/volunteers/ledger.js'
import { redeemPoints } from '../src/volunteers/pointsRedeemer.js'
import { claimTask } from '../src/volunteers/taskClaimer.js'
import { confirmTask } from '../src/volunteers/taskConfirmer.js'
import type { Confirmer } from '../src/volunteers/confirmer.js'
import { disputeTask } from '../src/volunteers/taskDisputer.js'
import { offerRequestToVolunteers } from '../src/volunteers/taskOfferer.js'
import { releaseTask } from '../src/volunteers/taskReleaser.js'
import { reportTaskDone } from '../src/volunteers/taskReporter.js'
import * as VT from '../src/volunteers/texts.js'
import { postWish, WishTooUrgentError } from '../src/volunteers/wishPoster.js'
import { zonedTime, localParts } from '../src/time.js'
import { dmReply, finish, type Handling, type Result } from './handling.js'
import { intakeText } from './report.js'
import * as T from './texts.js'
import type { ConfirmCommand, VolunteerCommand, VolunteerStaffCommand } from './volunteerMatchers.js'

/** Runs one command in a transaction with its reply and the processed inbox row; a domain error is the reply. */
async function replying(h: Handling, row: InboxMessage, work: (em: EntityManager) => Promise<string>, requestNo?: string): Promise<Result> {
  try {
    return await inTransaction(h.ctx.db, async (em) => {
      const text = await work(em)
      await enqueue(em, h.ctx.clock, [dmReply(row, text)])
      await markProcessed(em, h.ctx.clock, row, null)
      return { outcome: 'command' as const }
    })
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    // `志愿 99999`: the not-found text every staff command gives, with the hint to 待办.
    const text = requestNo && err.code === 'request_not_found' ? T.requestNotFound(requestNo) : err.message
    return finish(h, row, { outcome: 'command_rejected', replies: [dmReply(row, text)] })
  }
}

/** `认领 12`, `完成 12 …`, `放弃 12`, `积分` from a bound volunteer in private chat. */
export async function volunteerCommand(h: Handling, row: InboxMessage, volunteer: Volunteer, cmd: VolunteerCommand): Promise<Result> {
  const clock = h.ctx.clock
  if (cmd.kind === 'help') return finish(h, row, { outcome: 'help', replies: [dmReply(row, VT.VOLUNTEER_HELP)] })
  return replying(h, row, async (em) => {
    switch (cmd.kind) {
      case 'claim': return (await claimTask(em, clock, { taskId: cmd.taskId, volunteer })).reply
      case 'report': return (await reportTaskDone(em, clock, { taskId: cmd.taskId, volunteer, note: cmd.note })).reply
      case 'release': return VT.releasedText(await releaseTask(em, clock, { taskId: cmd.taskId, volunteer }))
      case 'balance': {
        const c = await loadCommunity(em, volunteer.communityId)
        const now = clock.now()
        const p = localParts(now, c.community.timezone)
        const f = await volunteerFigures(em, { communityId: volunteer.communityId, from: zonedTime(c.community.timezone, p.year, p.month, 1), to: new Date(now.getTime() + 1) })
        const mine = f.ranking.findIndex((r) => r.volunteerId === volunteer.id)
        const balance = await balanceOf(em, { communityId: volunteer.communityId, holderType: 'volunteer', holderId: volunteer.id })
        return VT.balanceText(balance, mine >= 0 ? f.ranking[mine]!.points : 0, mine >= 0 ? mine + 1 : null)
      }
    }
  })
}

/**
 * `心愿 …` from a resident in private chat: a 微心愿 offered to the volunteers of their grid. What reads as
 * urgent or 较急 is never offered: it goes through intake as a request for staff instead.
 */
export async function wishCommand(h: Handling, row: InboxMessage, communityId: number, text: string): Promise<Result> {
  if (!text) return finish(h, row, { outcome: 'help', replies: [dmReply(row, VT.WISH_USAGE)] })
  const reading = await h.classifier.classify({ text, room: 'private' })
  const urgency = reading.isRequest && reading.urgency ? reading.urgency : 'low'
  try {
    return await inTransaction(h.ctx.db, async (em) => {
      const resident = await findOrCreateWechatResident(em, { communityId, wechatName: row.senderName!, contactId: row.senderId })
      const community = await loadCommunity(em, communityId)
      // Where she lives, from what is known (profile, care roster, earlier requests): her grid's volunteers and leader.
      const known = await knownPlaceOf(em, { communityId, resident, encryptionKey: h.ctx.config.DATA_ENCRYPTION_KEY })
      const place = known ?? (reading.location.building ? reading.location : null)
      const gridId = community.buildings.find((b) => b.code === place?.building)?.gridId ?? null
      const { task, volunteers } = await postWish(em, h.ctx.clock, { communityId, residentId: resident.id, text, urgency, gridId, place, causeKey: `inbox:${row.id}` })
      await enqueue(em, h.ctx.clock, [dmReply(row, VT.wishPostedText(task, volunteers, gridId != null))])
      await markProcessed(em, h.ctx.clock, row, null)
      return { outcome: 'command' as const }
    })
  } catch (err) {
    if (err instanceof WishTooUrgentError) return intakeText(h, row, text, communityId, null)
    if (!(err instanceof DomainError)) throw err
    return finish(h, row, { outcome: 'command_rejected', replies: [dmReply(row, err.message)] })
  }
}

/** `确认 12` / `没办好 12` from the helped resident, or from staff answering for one without WeChat. */
export async function confirmCommand(h: Handling, row: InboxMessage, p: { communityId: number; staff?: Staff }, cmd: ConfirmCommand): Promise<Result> {
  return replying(h, row, async (em) => {
    let by: Confirmer
    if (p.staff) by = { type: 'staff', staff: p.staff }
    else {
      const resident = await em.findOne(Resident, { where: { communityId: p.communityId, wechatName: row.senderName! }, order: { id: 'ASC' } })
      // Someone else showing the same name is not the resident the bot has been talking to.
      if (!resident || (resident.wechatContactId && row.senderId && resident.wechatContactId !== row.senderId)) throw new NotFoundError(`志愿任务 #${cmd.taskId}`, 'task_not_found')
      by = { type: 'resident', resident }
    }
    const q = { taskId: cmd.taskId, communityId: p.communityId, by }
    return cmd.kind === 'confirm' ? (await confirmTask(em, h.ctx.clock, q)).reply : (await disputeTask(em, h.ctx.clock, { ...q, words: cmd.words })).reply
  })
}

/** `志愿 12` (the request's staff) and `兑换 小李 50 洗衣液` (the 书记). */
export async function volunteerStaffCommand(h: Handling, row: InboxMessage, staff: Staff, cmd: VolunteerStaffCommand): Promise<Result> {
  if (cmd.kind === 'malformed') return finish(h, row, { outcome: 'command_rejected', replies: [dmReply(row, VT.usageText(cmd.usage))] })
  return replying(h, row, async (em) => {
    if (cmd.kind === 'offer') {
      const r = await offerRequestToVolunteers(em, h.ctx.clock, { communityId: staff.communityId, no: cmd.no, staff })
      return VT.offeredStaffText(r.task, r.volunteers)
    }
    const named = await em.find(Volunteer, { where: { communityId: staff.communityId, name: cmd.name } })
    if (named.length !== 1) throw new DomainError('volunteer_not_found', VT.volunteerNameUnclear(cmd.name, named.length), 404)
    const r = await redeemPoints(em, h.ctx.clock, { communityId: staff.communityId, actor: staff, volunteerId: named[0]!.id, points: cmd.points, note: cmd.note, causeKey: `inbox:${row.id}` })
    return VT.redeemedText(r.volunteer.name, cmd.points, r.balance, cmd.note)
  }, cmd.kind === 'offer' ? cmd.no : undefined)
}
