import type { EntityManager, SelectQueryBuilder } from 'typeorm'
import type { Category } from '../community/taxonomy.js'
import { ServiceRequest, type Rating } from '../db/entities/index.js'
import { OPEN_STATUSES, type RequestStatus } from '../requests/stateMachine.js'
import type { Urgency } from '../community/taxonomy.js'

// The SQL behind computeStats. The cohort is the requests created in [from, to) (an index range on
// ix_requests_created); "received" leaves out merged duplicates and cancelled requests.

const RECEIVED = "r.status NOT IN ('merged', 'cancelled')"
const RESOLVED = "r.status IN ('resolved', 'closed')"
/** an SLA notice of this phase was sent (also in an earlier round, before a 重办 reset the claim columns) */
const reminded = (phase: 'accept' | 'resolve') =>
  `EXISTS (SELECT 1 FROM request_events e WHERE e.request_id = r.id AND e.type IN ('sla_reminder', 'sla_escalation') AND e.data LIKE '%"phase":"${phase}"%')`
/** done after its deadline, or still open past it (as of :now), or reminded */
const breach = (done: string, due: string, phase: 'accept' | 'resolve') =>
  `CASE WHEN (${due} IS NOT NULL AND ((${done} IS NOT NULL AND ${done} > ${due}) OR (${done} IS NULL AND r.status IN (:...open) AND ${due} < :now))) OR ${reminded(phase)} THEN 1 ELSE 0 END`

/** mysql2 returns DATETIME as Date; better-sqlite3 as the UTC text TypeORM wrote ('2026-11-23 01:00:00.000'). */
export function dateOf(v: unknown): Date | null {
  if (v == null) return null
  if (v instanceof Date) return v
  return new Date(`${String(v).replace(' ', 'T')}Z`)
}

export interface Cell {
  category: Category; gridId: number | null; status: RequestStatus; urgency: Urgency; rating: Rating | null
  reopened: boolean; acceptBreach: boolean; resolveBreach: boolean; n: number
}
export interface FirstResponse { category: Category; gridId: number | null; urgency: Urgency; createdAt: Date; dispatchedAt: Date | null; dispatchAt: Date | null; firstAt: Date }
export interface HotSpotRow { building: string; category: Category; count: number; nos: string[] }

export function cohortQueries(em: EntityManager, q: { communityId: number; from: Date; to: Date; now: Date }) {
  const base = (): SelectQueryBuilder<ServiceRequest> => em.getRepository(ServiceRequest).createQueryBuilder('r')
    .where('r.community_id = :c AND r.created_at >= :from AND r.created_at < :to', { c: q.communityId, from: q.from, to: q.to })
  const received = () => base().andWhere(RECEIVED)

  return {
    /** GROUP BY every value a count depends on: a few hundred cells whatever the cohort's size */
    async cells(): Promise<Cell[]> {
      const rows = await received().select('r.category', 'category').addSelect('r.grid_id', 'gridId').addSelect('r.status', 'status')
        .addSelect('r.urgency', 'urgency').addSelect('r.rating', 'rating')
        .addSelect('CASE WHEN r.reopen_count > 0 THEN 1 ELSE 0 END', 'k_reopened')
        .addSelect(breach('r.accepted_at', 'r.accept_due_at', 'accept'), 'k_accept')
        .addSelect(breach('r.resolved_at', 'r.resolve_due_at', 'resolve'), 'k_resolve')
        .addSelect('COUNT(*)', 'n')
        .setParameters({ open: OPEN_STATUSES, now: q.now })
        .groupBy('r.category').addGroupBy('r.grid_id').addGroupBy('r.status').addGroupBy('r.urgency').addGroupBy('r.rating')
        .addGroupBy('k_reopened').addGroupBy('k_accept').addGroupBy('k_resolve')
        .getRawMany<Record<string, unknown>>()
      return rows.map((x) => ({
        category: x.category as Category, gridId: x.gridId == null ? null : Number(x.gridId), status: x.status as RequestStatus,
        urgency: x.urgency as Urgency, rating: (x.rating ?? null) as Rating | null,
        reopened: Number(x.k_reopened) === 1, acceptBreach: Number(x.k_accept) === 1, resolveBreach: Number(x.k_resolve) === 1, n: Number(x.n),
      }))
    },

    async excluded(): Promise<{ merged: number; cancelled: number }> {
      const rows = await base().andWhere("r.status IN ('merged', 'cancelled')").select('r.status', 'status').addSelect('COUNT(*)', 'n')
        .groupBy('r.status').getRawMany<{ status: string; n: unknown }>()
      const n = (s: string) => Number(rows.find((x) => x.status === s)?.n ?? 0)
      return { merged: n('merged'), cancelled: n('cancelled') }
    },

    /** each received request's first 签收 or 办结 event, with the dispatch event just before it */
    async firstResponses(): Promise<FirstResponse[]> {
      const rows = await received()
        .innerJoin('request_events', 'f', "f.request_id = r.id AND f.id = (SELECT MIN(x.id) FROM request_events x WHERE x.request_id = r.id AND x.type IN ('accept', 'resolve'))")
        .select('r.category', 'category').addSelect('r.grid_id', 'gridId').addSelect('r.urgency', 'urgency')
        .addSelect('r.created_at', 'createdAt').addSelect('r.dispatched_at', 'dispatchedAt').addSelect('f.created_at', 'firstAt')
        .addSelect("(SELECT d.created_at FROM request_events d WHERE d.request_id = r.id AND d.type = 'dispatch' AND d.id < f.id ORDER BY d.id DESC LIMIT 1)", 'dispatchAt')
        .getRawMany<Record<string, unknown>>()
      return rows.map((x) => ({
        category: x.category as Category, gridId: x.gridId == null ? null : Number(x.gridId), urgency: x.urgency as Urgency,
        createdAt: dateOf(x.createdAt)!, dispatchedAt: dateOf(x.dispatchedAt), dispatchAt: dateOf(x.dispatchAt), firstAt: dateOf(x.firstAt)!,
      }))
    },

    async resolveTimes(): Promise<{ createdAt: Date; resolvedAt: Date }[]> {
      const rows = await received().andWhere(RESOLVED).andWhere('r.resolved_at IS NOT NULL')
        .select('r.created_at', 'createdAt').addSelect('r.resolved_at', 'resolvedAt').getRawMany<Record<string, unknown>>()
      return rows.map((x) => ({ createdAt: dateOf(x.createdAt)!, resolvedAt: dateOf(x.resolvedAt)! }))
    },

    /** what slaColor needs of the cohort's open requests (their colour depends on now) */
    async openRows() {
      const rows = await received().andWhere('r.status IN (:...open)', { open: OPEN_STATUSES })
        .select(['r.status', 'r.urgency', 'r.acceptDueAt', 'r.resolveDueAt', 'r.acceptedAt', 'r.resolvedAt', 'r.closedAt']).getMany()
      return rows
    },

    /** resolved/closed: red when resolved after the deadline */
    async closedColors(): Promise<{ red: number; green: number }> {
      const rows = await received().andWhere(RESOLVED)
        .select('CASE WHEN r.resolve_due_at IS NOT NULL AND COALESCE(r.resolved_at, r.closed_at) > r.resolve_due_at THEN 1 ELSE 0 END', 'red')
        .addSelect('COUNT(*)', 'n').groupBy('red').getRawMany<{ red: unknown; n: unknown }>()
      const n = (red: number) => Number(rows.find((x) => Number(x.red) === red)?.n ?? 0)
      return { red: n(1), green: n(0) }
    },

    /** same building (case-insensitive) and category at least `min` times; the first `maxNos` numbers of each */
    async hotSpots(min: number, maxNos: number): Promise<HotSpotRow[]> {
      const inner = received().andWhere('r.building IS NOT NULL')
        .select('UPPER(r.building)', 'b').addSelect('r.category', 'category').addSelect('r.no', 'no')
        .addSelect('COUNT(*) OVER (PARTITION BY UPPER(r.building), r.category)', 'n')
        .addSelect('ROW_NUMBER() OVER (PARTITION BY UPPER(r.building), r.category ORDER BY r.id)', 'k')
      const rows = await em.createQueryBuilder().select(['t.b AS b', 't.category AS category', 't.no AS no', 't.n AS n'])
        .from(`(${inner.getQuery()})`, 't').setParameters(inner.getParameters())
        .where('t.n >= :min AND t.k <= :maxNos', { min, maxNos }).orderBy('t.b').addOrderBy('t.category').addOrderBy('t.k')
        .getRawMany<{ b: string; category: Category; no: string; n: unknown }>()
      const spots = new Map<string, HotSpotRow>()
      for (const x of rows) {
        const key = `${x.b}\u0000${x.category}`
        const spot = spots.get(key) ?? { building: x.b, category: x.category, count: Number(x.n), nos: [] }
        spot.nos.push(x.no)
        spots.set(key, spot)
      }
      return [...spots.values()]
    },

    urgent: (limit: number) => received().andWhere("r.urgency = 'urgent'").orderBy('r.id', 'ASC').limit(limit).getMany(),

    /** community-wide, oldest first: open requests created before `to` */
    oldestOpen: (limit: number) => em.getRepository(ServiceRequest).createQueryBuilder('r')
      .where('r.community_id = :c AND r.created_at < :to AND r.status IN (:...open)', { c: q.communityId, to: q.to, open: OPEN_STATUSES })
      .orderBy('r.created_at', 'ASC').addOrderBy('r.id', 'ASC').limit(limit).getMany(),
  }
}
