import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { loadCommunity, staffById } from '../community/snapshot.js'
import { RequestReporter, ServiceRequest, type Channel } from '../db/entities/index.js'
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js'
import { notifyStaff } from './notify.js'
import { withdrawnStaffText } from './messages.js'
import { canWithdraw } from './policy.js'
import { cancelRequest } from './requestCanceller.js'

export interface WithdrawProps {
  /** the request's id, or its number within communityId */
  requestId?: number
  no?: string
  communityId: number
  residentId: number
  reason?: string | null
  channel: Channel
}

/**
 * 撤销 by the reporter ("撤销 12", or the mini-program): the request is cancelled with kind `withdrawn` and
 * the assignee is told. Only the original reporter may; while other residents also reported the same
 * problem it stays open for them.
 */
export async function withdrawRequest(em: EntityManager, clock: Clock, p: WithdrawProps): Promise<ServiceRequest> {
  const where = p.requestId != null ? { id: p.requestId, communityId: p.communityId } : { no: String(p.no ?? '').replace(/^#/, ''), communityId: p.communityId }
  const before = await em.findOne(ServiceRequest, { where })
  if (!before) throw new NotFoundError(`工单 ${p.no ?? p.requestId ?? ''}`.trim(), 'request_not_found')
  const reporters = await em.find(RequestReporter, { where: { requestId: before.id } })
  const mine = reporters.find((r) => r.residentId === p.residentId) ?? null
  if (!canWithdraw(p.residentId, mine)) throw new ForbiddenError(`工单 ${before.no} 不是您提交的，不能撤销`, 'not_reporter')
  if (reporters.length > 1) throw new ConflictError('has_co_reporters', `还有其他居民反映了同一问题，工单 ${before.no} 会继续办理。如有疑问请联系网格员。`)
  const reason = p.reason?.trim() || null
  const request = await cancelRequest(em, clock, { requestId: before.id, actor: { type: 'resident', id: p.residentId }, reason: reason ?? '居民撤销', channel: p.channel, kind: 'withdrawn' })
  const community = await loadCommunity(em, request.communityId)
  await notifyStaff(em, clock, request, [staffById(community, before.assigneeStaffId)], `withdraw:${request.id}`, withdrawnStaffText(request, reason))
  return request
}
