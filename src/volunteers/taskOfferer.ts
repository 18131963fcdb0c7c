import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { CATEGORY_NAMES, URGENCY_NAMES } from '../community/taxonomy.js'
import type { ServiceRequest, Staff, VolunteerTask } from '../db/entities/index.js'
import { DomainError } from '../errors.js'
import { loadForStaff, OPEN_STATUSES, reportersOf } from '../requests/index.js'
import { insertTask, sendOffer, volunteersFor } from './tasks.js'
import { isLowRisk, OFFERABLE_CATEGORIES, taskKindOf } from './vocabulary.js'

export class NotOfferableError extends DomainError {}

/** Why a request may not go to volunteers, or null when it may: only low-risk 为老服务 still open. */
export function offerRefusal(r: Pick<ServiceRequest, 'no' | 'category' | 'urgency' | 'status'>): NotOfferableError | null {
  if (!isLowRisk(r.urgency)) {
    return new NotOfferableError('task_too_urgent', `工单 ${r.no} 是「${URGENCY_NAMES[r.urgency]}」，不能交给志愿者，请工作人员尽快处理。`, 409)
  }
  if (!OFFERABLE_CATEGORIES.includes(r.category)) {
    return new NotOfferableError('task_not_offerable', `只有助老帮扶类的工单可以交给志愿者（工单 ${r.no} 是「${CATEGORY_NAMES[r.category]}」）。`, 409)
  }
  if (!OPEN_STATUSES.includes(r.status)) return new NotOfferableError('task_request_closed', `工单 ${r.no} 已不在办理中，不能再交给志愿者。`, 409)
  return null
}

export interface OfferRequestProps {
  communityId: number
  /** the request number staff typed (or its id, from the API) */
  no?: string
  requestId?: number
  /** the grid's staff, the assignee or the 书记 */
  staff: Staff
}

/**
 * `志愿 12`: offers a low-risk 为老服务 request (代买药, 陪同就医, 送餐 …) to the bound volunteers of its grid.
 * Urgent and 较急 requests are refused here, whoever asks. Offered once per request; the request itself stays
 * with its assignee. Returns the task and how many volunteers were told.
 */
export async function offerRequestToVolunteers(em: EntityManager, clock: Clock, p: OfferRequestProps): Promise<{ task: VolunteerTask; created: boolean; volunteers: number }> {
  const { request, community } = await loadForStaff(em, { no: p.no, requestId: p.requestId, communityId: p.communityId, staff: p.staff, channel: 'private' }, 'view')
  const refusal = offerRefusal(request)
  if (refusal) throw refusal
  const available = await volunteersFor(em, request.communityId, request.gridId)
  if (!available.length) {
    const grid = community.grids.find((g) => g.id === request.gridId)?.name ?? '本社区'
    throw new DomainError('no_volunteers', `${grid}还没有已认证的志愿者，工单 ${request.no} 请工作人员办理。`, 409)
  }
  const reporter = (await reportersOf(em, request.id)).find((r) => r.reporter.role === 'reporter')
  const { task, created } = await insertTask(em, clock, {
    communityId: request.communityId, gridId: request.gridId, source: 'request', offerKey: `request:${request.id}`, requestId: request.id,
    residentId: reporter?.resident.id ?? request.reporterResidentId ?? null, kind: taskKindOf(request.originalText),
    description: `工单 ${request.no}：${request.originalText}`.slice(0, 500), urgency: request.urgency, offeredByStaffId: p.staff.id,
  }, { type: 'staff', id: p.staff.id })
  const volunteers = created ? await sendOffer(em, clock, community, task, 0) : available.length
  return { task, created, volunteers }
}
