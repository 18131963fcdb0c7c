import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { recordCorrection } from '../corrections/correctionRecorder.js'
import { secretaryOf, staffById } from '../community/snapshot.js'
import { ChatPrompt, type Channel } from '../db/entities/index.js'
import { ValidationError } from '../errors.js'
import type { Actor } from './events.js'
import { transition } from './lifecycle.js'
import { cancelledReporterText, cancelledStaffText } from './messages.js'
import { notifyReporters, notifyStaff } from './notify.js'
import { loadForStaff, type StaffActionProps } from './staffActions.js'

/** Why a request was cancelled: withdrawn by its reporter, not a request at all (chatter, a notice), or invalid. */
export type CancelKind = 'withdrawn' | 'not_a_request' | 'invalid'

/**
 * 撤销 as a state change: the request leaves the loop (and the 三率, which count neither cancelled nor merged
 * requests). The event keeps who, why and which kind. Callers check who may do it (see below and requestWithdrawer.ts).
 */
export async function cancelRequest(em: EntityManager, clock: Clock, p: { requestId: number; actor: Actor; reason: string; channel: Channel; kind?: CancelKind }) {
  const { request } = await transition(em, clock, {
    requestId: p.requestId, action: 'cancel', actor: p.actor, channel: p.channel,
    set: { needsTriage: false }, data: { reason: p.reason, kind: p.kind ?? 'invalid' },
  })
  await closeOpenPrompts(em, request.id)
  return request
}

/**
 * The 书记 cancels a request as not-a-request (chatter, a notice, "今天天气不错") or invalid, with a reason.
 * The reporters and the assignee are told.
 */
export async function cancelAsSecretary(em: EntityManager, clock: Clock, p: StaffActionProps & { kind: 'not_a_request' | 'invalid'; reason: string }) {
  const reason = p.reason?.trim()
  if (!reason) throw new ValidationError('撤销需要说明原因，例如：撤销 12 不是诉求，是闲聊')
  const { request: before, community } = await loadForStaff(em, p, 'cancel')
  const request = await cancelRequest(em, clock, { requestId: before.id, actor: { type: 'staff', id: p.staff.id }, reason, channel: p.channel, kind: p.kind })
  // "Not a request" is a label the classifier got wrong: kept as a training example (npm run train -- --with-feedback).
  if (p.kind === 'not_a_request') await recordCorrection(em, { request: before, kind: 'not_a_request', staff: { id: p.staff.id, role: p.staff.role }, at: clock.now() })
  const key = `cancel:${request.id}`
  await notifyReporters(em, clock, request, key, cancelledReporterText(request, p.kind, reason))
  const assignee = staffById(community, before.assigneeStaffId)
  if (assignee && assignee.id !== p.staff.id) await notifyStaff(em, clock, request, [assignee], key, cancelledStaffText(request, secretaryOf(community)?.name ?? '书记', reason))
  return request
}

/** A request that left the loop answers no more of the bot's questions (几号楼几单元, a photo, a 完成 note). */
export async function closeOpenPrompts(em: EntityManager, requestId: number): Promise<void> {
  await em.update(ChatPrompt, { requestId, status: 'open' }, { status: 'closed' })
}
