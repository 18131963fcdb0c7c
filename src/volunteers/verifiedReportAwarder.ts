import type { EntityManager } from 'typeorm'
import { IsNull, MoreThanOrEqual, Not } from 'typeorm'
import type { Clock } from '../clock.js'
import { pointsRuleOf } from '../community/settings.js'
import { Community, RequestReporter, Resident, ServiceRequest } from '../db/entities/index.js'
import { appendEntry } from './ledger.js'

/** How far back a run looks: closed requests older than this were seen by earlier runs. */
export const VERIFIED_REPORT_LOOKBACK_MS = 30 * 24 * 3600_000

/**
 * Where the community counts verified reports: the resident who first reported a request that was handled
 * and closed (not cancelled, merged or withdrawn) earns the rule's points, once per request (the ledger's
 * dedupe key), so running this twice, or in two instances, awards nothing twice. Returns how many were awarded.
 */
export async function awardVerifiedReports(em: EntityManager, clock: Clock, communityId: number): Promise<number> {
  const community = await em.findOneOrFail(Community, { where: { id: communityId } })
  const rule = pointsRuleOf(community.settings)
  if (!rule.earn.includes('verified_report') || rule.verifiedReport <= 0) return 0
  const since = new Date(clock.now().getTime() - VERIFIED_REPORT_LOOKBACK_MS)
  const closed = await em.find(ServiceRequest, {
    where: { communityId, status: 'closed', resolvedAt: Not(IsNull()), closedAt: MoreThanOrEqual(since) }, order: { id: 'ASC' }, select: { id: true, no: true },
  })
  let n = 0
  for (const r of closed) {
    const reporter = await em.findOne(RequestReporter, { where: { requestId: r.id, role: 'reporter' }, order: { id: 'ASC' } })
    if (!reporter || reporter.source === 'staff') continue
    const resident = await em.findOne(Resident, { where: { id: reporter.residentId }, select: { id: true } })
    if (!resident) continue
    const w = await appendEntry(em, clock, {
      communityId, holderType: 'resident', holderId: resident.id, amount: rule.verifiedReport, action: 'verified_report',
      dedupeKey: `verified_report:${r.id}`, requestId: r.id, note: `工单 ${r.no}`,
    })
    if (w && w !== 'insufficient') n++
  }
  return n
}
