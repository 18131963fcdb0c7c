import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { route } from '../community/routing.js'
import { loadCommunity, staffById, type CommunitySnapshot } from '../community/snapshot.js'
import { RequestReporter, ServiceRequest, type Channel, type Staff } from '../db/entities/index.js'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js'
import { normalizeBuilding } from '../intake/location.js'
import { recordEvent, type Actor } from './events.js'
import { transition } from './lifecycle.js'
import { displayName, locationText, newTaskText, RELOCATED_TASK_NOTE, relocatedStaffText } from './messages.js'
import { notifyStaff, reportersOf } from './notify.js'
import { loadForStaff } from './staffActions.js'
import { ACTIONABLE_STATUSES, OPEN_STATUSES } from './stateMachine.js'

export interface SetLocationProps {
  /** the request's id, or its number within communityId */
  requestId?: number
  no?: string
  communityId: number
  /** who sets it: a staff member who holds the request (or the 书记), or the reporter answering 几号楼几单元 */
  by: { staff: Staff } | { residentId: number }
  building: string
  unit?: string | null
  room?: string | null
  channel: Channel
}

export interface SetLocationResult {
  request: ServiceRequest
  /** the new assignee when the new place belongs to someone else, else null */
  rerouted: Staff | null
}

/**
 * 位置 12 7号楼3单元: sets or corrects the building / unit / room. When the new place belongs to another grid,
 * the request follows it: re-routed (转派, deadlines kept) if someone holds it, or just re-gridded if it waits
 * for dispatch. The event keeps the old and new place.
 */
export async function setRequestLocation(em: EntityManager, clock: Clock, p: SetLocationProps): Promise<SetLocationResult> {
  const building = normalizeBuilding(p.building)
  if (!building) throw new ValidationError('没有看懂楼号，请写成「位置 12 7号楼3单元」')
  const { request: before, community, actor } = await loadForLocation(em, p)
  if (!OPEN_STATUSES.includes(before.status)) throw new ConflictError('request_not_open', `工单 ${before.no} 已不在办理中，不能修改位置`)
  if (community.buildings.length && !community.buildings.some((b) => b.code === building)) {
    throw new ValidationError(`本社区没有 ${building}号楼，请核对楼号`, { building })
  }
  const unit = p.unit?.trim() || null
  const roomNo = p.room?.trim() || null
  const from = { building: before.building, unit: before.unit, room: before.roomNo }
  await em.update(ServiceRequest, { id: before.id }, { building, unit, roomNo, updatedAt: clock.now() })
  const located = await em.findOneOrFail(ServiceRequest, { where: { id: before.id } })
  const event = await recordEvent(em, clock, {
    requestId: before.id, type: 'location_set', actor, channel: p.channel,
    data: { from, to: { building, unit, room: roomNo }, text: locationText(located) },
  })
  const next = route(community, { building, chatRoomId: located.chatRoomId, category: located.category, urgency: located.urgency })
  const owner = staffById(community, next.ownerStaffId)
  if (next.ownerStaffId === before.assigneeStaffId || !owner) {
    if (next.gridId !== before.gridId) await em.update(ServiceRequest, { id: before.id }, { gridId: next.gridId })
    return { request: await em.findOneOrFail(ServiceRequest, { where: { id: before.id } }), rerouted: null }
  }
  if (!ACTIONABLE_STATUSES.includes(before.status)) {
    // Waiting for the 书记 (new / returned): the place is corrected, the dispatch is still hers.
    await em.update(ServiceRequest, { id: before.id }, { gridId: next.gridId })
    return { request: await em.findOneOrFail(ServiceRequest, { where: { id: before.id } }), rerouted: null }
  }
  const { request } = await transition(em, clock, {
    requestId: before.id, action: 'transfer', actor, channel: p.channel,
    set: { assigneeStaffId: owner.id, gridId: next.gridId, acceptedAt: null },
    data: { from: before.assigneeStaffId, to: owner.id, rule: next.rule, reason: 'location' },
  })
  const reporters = await reportersOf(em, request.id)
  const room = community.rooms.find((x) => x.id === request.chatRoomId)
  // The source stays the source (the group, or 私聊); why it comes now is said on its own line.
  const task = `${newTaskText(request, community.community.timezone, displayName(reporters[0]?.resident), room?.topic ?? '私聊', owner.role === 'secretary')}\n${RELOCATED_TASK_NOTE}`
  await notifyStaff(em, clock, request, [owner], `loc:evt${event.id}`, task)
  const previous = staffById(community, before.assigneeStaffId)
  if (previous && previous.id !== owner.id && !(actor.type === 'staff' && actor.id === previous.id)) await notifyStaff(em, clock, request, [previous], `loc:evt${event.id}:prev`, relocatedStaffText(request, owner.name))
  return { request, rerouted: owner }
}

async function loadForLocation(em: EntityManager, p: SetLocationProps): Promise<{ request: ServiceRequest; community: CommunitySnapshot; actor: Actor }> {
  if ('staff' in p.by) {
    const { request, community } = await loadForStaff(em, { requestId: p.requestId, no: p.no, communityId: p.communityId, staff: p.by.staff, channel: p.channel }, 'locate')
    return { request, community, actor: { type: 'staff', id: p.by.staff.id } }
  }
  const where = p.requestId != null ? { id: p.requestId, communityId: p.communityId } : { no: String(p.no ?? '').replace(/^#/, ''), communityId: p.communityId }
  const request = await em.findOne(ServiceRequest, { where })
  if (!request) throw new NotFoundError(`工单 ${p.no ?? p.requestId ?? ''}`.trim(), 'request_not_found')
  const mine = await em.exists(RequestReporter, { where: { requestId: request.id, residentId: p.by.residentId } })
  if (!mine) throw new ForbiddenError(`工单 ${request.no} 不是您反映的，不能修改位置`, 'not_reporter')
  return { request, community: await loadCommunity(em, request.communityId), actor: { type: 'resident', id: p.by.residentId } }
}
