import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { loadCommunity, secretaryOf, staffById, type CommunitySnapshot } from '../community/snapshot.js'
import { DEFAULT_CALLBACK_RULE } from '../community/settings.js'
import { deadlines } from '../community/sla.js'
import { RequestReporter, ServiceRequest, Staff, type Channel } from '../db/entities/index.js'
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js'
import { withinLimit } from './limits.js'
import { callbackDueAt } from './callbackTime.js'
import { transition } from './lifecycle.js'
import { acceptedText, displayName, newTaskText, resolvedText, returnedText } from './messages.js'
import { notifyReporters, notifyStaff, reportersOf } from './notify.js'
import { can, type StaffAction } from './policy.js'

export interface StaffActionProps {
  /** the request's id, or its human-readable number with communityId */
  requestId?: number
  no?: string
  communityId?: number
  staff: Staff
  channel: Channel
}

/** Loads the request by id or number (with its community) and checks the staff member may act on it. */
export async function loadForStaff(em: EntityManager, p: StaffActionProps, action: StaffAction | ((r: ServiceRequest) => StaffAction)): Promise<{ request: ServiceRequest; community: CommunitySnapshot }> {
  const where = p.requestId != null ? { id: p.requestId } : { no: String(p.no ?? '').replace(/^#/, ''), communityId: p.communityId ?? p.staff.communityId }
  const request = await em.findOne(ServiceRequest, { where })
  if (!request || request.communityId !== p.staff.communityId) throw new NotFoundError(`工单 ${p.no ?? p.requestId ?? ''}`.trim(), 'request_not_found')
  if (typeof action === 'function') action = action(request)
  const community = await loadCommunity(em, request.communityId)
  const grids = community.grids.filter((g) => g.leaderStaffId === p.staff.id || g.deputyStaffId === p.staff.id).map((g) => g.id)
  if (!can(p.staff, action, request, grids)) throw new ForbiddenError(`工单 ${request.no} 不是派给您的，不能操作`, 'not_assignee')
  return { request, community }
}

/** 签收 */
export async function acceptRequest(em: EntityManager, clock: Clock, p: StaffActionProps) {
  const { request: r } = await loadForStaff(em, p, 'accept')
  const { request, event } = await transition(em, clock, {
    requestId: r.id, action: 'accept', actor: { type: 'staff', id: p.staff.id }, channel: p.channel,
    set: { acceptedAt: clock.now(), ...(r.assigneeStaffId === p.staff.id ? {} : { assigneeStaffId: p.staff.id }) },
  })
  await notifyReporters(em, clock, request, `evt${event.id}`, acceptedText(request, p.staff))
  return request
}

/** 办结 (a leader may report 完成 without 接单; acceptance is then recorded at the same time). */
export async function resolveRequest(em: EntityManager, clock: Clock, p: StaffActionProps & { note?: string | null }) {
  const note = p.note?.trim() ? withinLimit('resolutionNote', p.note.trim()) : null
  const { request: r, community } = await loadForStaff(em, p, 'resolve')
  const now = clock.now()
  const { request, event } = await transition(em, clock, {
    requestId: r.id, action: 'resolve', actor: { type: 'staff', id: p.staff.id }, channel: p.channel,
    set: { resolvedAt: now, resolutionNote: note, acceptedAt: r.acceptedAt ?? now },
    data: { note },
  })
  await notifyReporters(em, clock, request, `evt${event.id}`, resolvedText(request, p.staff, note))
  // 回访: each reporter and co-reporter is asked later, outside quiet hours.
  const due = callbackDueAt(now, community.community.timezone, community.community.settings.callbacks ?? DEFAULT_CALLBACK_RULE)
  await em.createQueryBuilder().update(RequestReporter)
    .set({ callbackStatus: 'pending', callbackDueAt: due, callbackAskedAt: null, callbackRemindedAt: null, rating: null })
    .where('request_id = :id', { id: request.id }).execute()
  return request
}

/** 退单: back to the dispatcher (the 书记) with a reason. */
export async function returnRequest(em: EntityManager, clock: Clock, p: StaffActionProps & { reason: string }) {
  const reason = p.reason?.trim()
  if (!reason) throw new ValidationError('退单需要说明原因，例如：退单 12 不属于本网格')
  withinLimit('returnReason', reason)
  const { request: r, community } = await loadForStaff(em, p, 'return')
  const { request, event } = await transition(em, clock, {
    requestId: r.id, action: 'return', actor: { type: 'staff', id: p.staff.id }, channel: p.channel,
    set: { returnReason: reason, assigneeStaffId: null }, data: { reason, previousAssigneeStaffId: r.assigneeStaffId },
  })
  await notifyStaff(em, clock, request, [secretaryOf(community)], `evt${event.id}`, returnedText(request, p.staff, reason))
  return request
}

/**
 * 转派: hand the request to another staff member (by name or WeChat name). A returned or new request
 * is dispatched afresh with new deadlines; an active one keeps its deadlines.
 */
export async function transferRequest(em: EntityManager, clock: Clock, p: StaffActionProps & { to: string }) {
  const isFresh = (x: ServiceRequest) => x.status === 'returned' || x.status === 'new'
  const { request: r, community } = await loadForStaff(em, p, (x) => (isFresh(x) ? 'dispatch' : 'transfer'))
  const target = community.staff.find((s) => s.active && (s.name === p.to.trim() || s.wechat === p.to.trim()))
  if (!target) throw new NotFoundError(`工作人员「${p.to}」`, 'staff_not_found')
  const fresh = isFresh(r)
  const now = clock.now()
  const { request, event } = await transition(em, clock, {
    requestId: r.id, action: fresh ? 'dispatch' : 'transfer', actor: { type: 'staff', id: p.staff.id }, channel: p.channel,
    // The grid follows the new owner when they lead one; a specialist (mediator …) keeps the building's grid.
    set: { assigneeStaffId: target.id, gridId: community.grids.find((g) => g.leaderStaffId === target.id || g.deputyStaffId === target.id)?.id ?? r.gridId, ...(fresh ? { dispatchedAt: now, acceptedAt: null, ...deadlines(r.urgency, now, community.community.settings) } : {}) },
    data: { from: r.assigneeStaffId, to: target.id },
  })
  const reporters = await reportersOf(em, request.id)
  const room = community.rooms.find((x) => x.id === request.chatRoomId)
  const task = newTaskText(request, community.community.timezone, displayName(reporters[0]?.resident), room?.topic ?? '转派')
  await notifyStaff(em, clock, request, [target], `evt${event.id}`, `${p.staff.name}转派给您：\n${task}`)
  const previous = staffById(community, r.assigneeStaffId)
  if (previous && previous.id !== target.id && previous.id !== p.staff.id) {
    await notifyStaff(em, clock, request, [previous], `evt${event.id}:prev`, `工单 ${request.no} 已转派给${target.name}，您无需再处理。`)
  }
  return request
}
