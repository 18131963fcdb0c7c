import type { Context } from 'koa'
import type { EntityManager } from 'typeorm'
import { Attachment, Grid, RequestReporter, ServiceRequest, type Staff } from '../src/db/entities/index.js'
import { NotFoundError } from '../src/errors.js'
import { can } from '../src/requests/policy.js'

/** Who is looking: their resident row (if any), their staff row (if any) and the grids they lead or deputise. */
export interface Viewer {
  residentId: number | null
  staff: Staff | null
  gridsLed: number[]
}

// One-line rules. A request's reporter and co-reporters are its "owners"; staff go through src/requests/policy.
export const isReporter = (v: Viewer, reporterIds: number[]) => v.residentId != null && reporterIds.includes(v.residentId)
export const canViewRequest = (v: Viewer, r: ServiceRequest, reporterIds: number[]) => isReporter(v, reporterIds) || (!!v.staff && can(v.staff, 'view', r, v.gridsLed))
export const canComment = (v: Viewer, r: ServiceRequest, reporterIds: number[]) => canViewRequest(v, r, reporterIds) && r.status !== 'merged' && r.status !== 'cancelled'
export const canRate = (v: Viewer, _r: ServiceRequest, reporterIds: number[]) => isReporter(v, reporterIds)
export const ownsUpload = (v: Viewer, a: Attachment) =>
  (a.uploaderType === 'resident' && a.uploaderId === v.residentId) || (a.uploaderType === 'staff' && !!v.staff && a.uploaderId === v.staff.id)
/** Photos follow the request; an unattached upload is visible only to its uploader. */
export const canViewPhoto = (v: Viewer, a: Attachment, r: ServiceRequest | null, reporterIds: number[]) =>
  ownsUpload(v, a) || (r != null && canViewRequest(v, r, reporterIds))

export async function viewerOf(em: EntityManager, ctx: Context): Promise<Viewer> {
  const staff = (ctx.state.staff as Staff | null | undefined) ?? null
  const residentId = (ctx.state.resident as { id: number } | undefined)?.id ?? null
  const gridsLed = staff
    ? (await em.find(Grid, { where: [{ leaderStaffId: staff.id }, { deputyStaffId: staff.id }], select: { id: true } })).map((g) => g.id)
    : []
  return { residentId, staff, gridsLed }
}

export const reporterIdsOf = async (em: EntityManager, requestId: number) =>
  (await em.find(RequestReporter, { where: { requestId }, select: { residentId: true } })).map((r) => r.residentId)

/**
 * Loads a request the caller may see. A request they may not see is "not found", so ids cannot be probed.
 */
export async function loadVisibleRequest(em: EntityManager, ctx: Context, id: number) {
  const request = await em.findOne(ServiceRequest, { where: { id } })
  const viewer = await viewerOf(em, ctx)
  const reporterIds = request ? await reporterIdsOf(em, request.id) : []
  if (!request || !canViewRequest(viewer, request, reporterIds)) throw new NotFoundError('工单', 'request_not_found')
  return { request, viewer, reporterIds }
}
