import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { staffById } from '../community/snapshot.js'
import { Attachment, RequestReporter, ServiceRequest, type Channel } from '../db/entities/index.js'
import { ConflictError, NotFoundError } from '../errors.js'
import { recordEvent, type Actor } from './events.js'
import { transition } from './lifecycle.js'
import { mergedReporterText, mergedStaffText } from './messages.js'
import { notifyReporters, notifyStaff, reportersOf } from './notify.js'
import { loadForStaff, type StaffActionProps } from './staffActions.js'
import { closeOpenPrompts } from './requestCanceller.js'
import { OPEN_STATUSES } from './stateMachine.js'

/**
 * 合并 as a state change: request → merged into `intoId` (an open request). Its reporters become co-reporters
 * there (so the 回访 callback, which asks every reporter of the request it is about, reaches them), and its
 * photos move with them. The source's reporters are told the number to follow.
 */
export async function mergeRequest(em: EntityManager, clock: Clock, p: { requestId: number; intoId: number; actor: Actor; channel: Channel; reason?: string | null }) {
  if (p.requestId === p.intoId) throw new ConflictError('merge_into_self', '不能把工单合并到它自己')
  const into = await em.findOne(ServiceRequest, { where: { id: p.intoId } })
  if (!into || !OPEN_STATUSES.includes(into.status)) throw new ConflictError('merge_target_closed', `只能合并到仍在办理中的工单${into ? `（工单 ${into.no} 已不在办理中）` : ''}`)
  const source = await em.findOne(ServiceRequest, { where: { id: p.requestId }, select: { id: true, communityId: true } })
  if (source && source.communityId !== into.communityId) throw new ConflictError('merge_other_community', '不能合并其他社区的工单')
  const { request } = await transition(em, clock, {
    requestId: p.requestId, action: 'merge', actor: p.actor, channel: p.channel, set: { mergedIntoId: p.intoId },
    data: { into: into.no, reason: p.reason ?? null },
  })
  const reporters = await em.find(RequestReporter, { where: { requestId: p.requestId } })
  for (const rep of reporters) {
    const exists = await em.findOne(RequestReporter, { where: { requestId: p.intoId, residentId: rep.residentId } })
    if (!exists) {
      await em.save(RequestReporter, em.create(RequestReporter, {
        requestId: p.intoId, residentId: rep.residentId, role: 'co_reporter', source: rep.source, text: rep.text, createdAt: clock.now(),
        callbackStatus: null, callbackDueAt: null, callbackAskedAt: null, callbackRemindedAt: null, rating: null,
      }))
    }
  }
  await closeOpenPrompts(em, p.requestId)
  const photos = await em.find(Attachment, { where: { requestId: p.requestId }, select: { id: true } })
  if (photos.length) await em.update(Attachment, photos.map((a) => a.id), { requestId: p.intoId })
  await recordEvent(em, clock, {
    requestId: p.intoId, type: 'merged_in', actor: p.actor, channel: p.channel,
    data: { from: request.no, reporters: reporters.length, attachmentIds: photos.map((a) => a.id), reason: p.reason ?? null },
  })
  return request
}

/** 合并 12 到 9, by the 书记 or whoever holds both requests; the source's reporters and assignee are told. */
export async function mergeAsStaff(em: EntityManager, clock: Clock, p: StaffActionProps & { intoNo?: string; intoId?: number; reason?: string | null }) {
  const { request: source, community } = await loadForStaff(em, p, 'merge')
  const { request: target } = await loadForStaff(em, { ...p, requestId: p.intoId, no: p.intoNo }, 'merge').catch((e) => {
    if (e instanceof NotFoundError) throw new NotFoundError(`工单 ${p.intoNo ?? p.intoId ?? ''}`.trim(), 'request_not_found')
    throw e
  })
  const sourceReporters = await reportersOf(em, source.id)
  const merged = await mergeRequest(em, clock, { requestId: source.id, intoId: target.id, actor: { type: 'staff', id: p.staff.id }, channel: p.channel, reason: p.reason })
  const key = `merge:${merged.id}`
  if (sourceReporters.length) await notifyReporters(em, clock, merged, key, mergedReporterText(merged, target))
  const previous = staffById(community, source.assigneeStaffId)
  if (previous && previous.id !== p.staff.id && previous.id !== target.assigneeStaffId) await notifyStaff(em, clock, merged, [previous], key, mergedStaffText(merged, target))
  return { merged, into: await em.findOneOrFail(ServiceRequest, { where: { id: target.id } }) }
}
