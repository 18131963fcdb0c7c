import type { Context } from 'koa'
import type { EntityManager } from 'typeorm'
import { In } from 'typeorm'
import { Attachment, RequestEvent, RequestReporter, Resident, Staff, type ServiceRequest } from '../../../src/db/entities/index.js'
import { canMoveCallback } from '../../../src/requests/callbackStateMachine.js'
import { canWithdraw } from '../../../src/requests/policy.js'
import { canTransition } from '../../../src/requests/stateMachine.js'
import { canComment, canRate, isReporter, loadVisibleRequest } from '../../policies.js'
import { presentEvent, type TimelineViewer } from '../../presenters/event.js'
import { presentRequests, presentTasks } from '../../presenters/load.js'
import { presentPhoto } from '../../presenters/photo.js'

async function presentOne(em: EntityManager, request: ServiceRequest, residentId: number, now: Date) {
  return (await presentRequests(em, [request], { now, ownText: (r) => r.reporterResidentId === residentId }))[0]!
}

/**
 * A request with its timeline and photos as the caller may see it (GET /api/requests/:id and the console's
 * request page): a request they may not see is a 404. Staff who did not report it see it as staff.
 */
export async function requestDetail(em: EntityManager, ctx: Context, id: number, now: Date) {
  const { request, viewer, reporterIds } = await loadVisibleRequest(em, ctx, id)
  const asStaff = !!viewer.staff && !isReporter(viewer, reporterIds)
  const [events, photos, staff, reporterRow] = await Promise.all([
    em.find(RequestEvent, { where: { requestId: request.id }, order: { id: 'ASC' } }),
    em.find(Attachment, { where: { requestId: request.id, kind: 'image' }, order: { id: 'ASC' } }),
    em.find(Staff, { where: { communityId: request.communityId }, select: { id: true, name: true } }),
    viewer.residentId != null ? em.findOne(RequestReporter, { where: { requestId: request.id, residentId: viewer.residentId } }) : null,
  ])
  const residentIds = [...new Set(events.filter((e) => e.actorType === 'resident' && e.actorId != null).map((e) => e.actorId!))]
  const residents = asStaff && residentIds.length ? await em.find(Resident, { where: { id: In(residentIds) }, select: { id: true, name: true, wechatName: true } }) : []
  const timelineViewer: TimelineViewer = { kind: asStaff ? 'staff' : 'resident', residentId: viewer.residentId, staffId: viewer.staff?.id ?? null }
  const lookup = { staff: new Map(staff.map((s) => [s.id, s])), residents: new Map(residents.map((r) => [r.id, r])) }
  return {
    entity: request,
    viewer,
    body: {
      request: asStaff ? (await presentTasks(em, [request], now))[0]! : await presentOne(em, request, viewer.residentId ?? -1, now),
      timeline: events.map((e) => presentEvent(e, timelineViewer, lookup)).filter((e) => e !== null),
      photos: photos.map(presentPhoto),
      permissions: {
        rate: canRate(viewer, request, reporterIds) && ['resolved', 'closed'].includes(request.status) && !!reporterRow && canMoveCallback(reporterRow.callbackStatus, 'answer'),
        comment: canComment(viewer, request, reporterIds),
        withdraw: viewer.residentId != null && reporterIds.length === 1 && canWithdraw(viewer.residentId, reporterRow) && canTransition(request.status, 'cancel'),
      },
    },
  }
}
