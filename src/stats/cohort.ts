import type { EntityManager, SelectQueryBuilder } from 'typeorm'
import type { Category } from '../community/taxonomy.js'
import { ServiceRequest, type Rating } from '../db/entities/index.js'
import { dateOf } from '../db/rawDate.js'
import { RESOLUTION_OUTCOMES, type ResolutionOutcome } from '../requests/resolutionOutcome.js'
import { OPEN_STATUSES, type RequestStatus } from '../requests/stateMachine.js'
import type { SlaFields } from '../jobs/sla.js'
import type { Urgency } from '../community/taxonomy.js'

// The SQL behind computeStats. The cohort is the requests created in [from, to) (an index range on
// ix_requests_created); "received" leaves out merged duplicates and cancelled requests.

const RECEIVED = "r.status NOT IN ('merged', 'cancelled')"
const RESOLVED = "r.status IN ('resolved', 'closed')"
/** an SLA notice of this phase was sent (also in an earlier round, before a 重办 reset the claim columns) */
const reminded = (phase: 'accept' | 'resolve') => `COALESCE(rem.${phase}, 0) = 1`
/**
 * Which requests had SLA notices, by phase: a few rows, read through ix_request_events_type (type, request_id),
 * joined once instead of a subquery per cohort row.
 */
const REMINDERS = `(SELECT e.request_id AS rid,
    MAX(CASE WHEN e.data LIKE '%"phase":"accept"%' THEN 1 ELSE 0 END) AS accept,
    MAX(CASE WHEN e.data LIKE '%"phase":"resolve"%' THEN 1 ELSE 0 END) AS resolve
  FROM request_events e WHERE e.type IN ('sla_reminder', 'sla_escalation') GROUP BY e.request_id)`
/** done after its deadline, or still open past it (as of :now), or reminded */
const breach = (done: string, due: string, phase: 'accept' | 'resolve') =>
  `CASE WHEN (${due} IS NOT NULL AND ((${done} IS NOT NULL AND ${done} > ${due}) OR (${done} IS NULL AND r.status IN (:...open) AND ${due} < :now))) OR ${reminded(phase)} THEN 1 ELSE 0 END`

export interface Cell {
  category: Category; gridId: number | null; status: RequestStatus; urgency: Urgency; rating: Rating | null
  reopened: boolean; acceptBreach: boolean; resolveBreach: boolean; n: number
}
export interface FirstResponse { category: Category; gridId: number | null; urgency: Urgency; createdAt: Date; dispatchedAt: Date | null; dispatchAt: Date | null; firstAt: Date }
export interface SpotCount { building: string; category: Category; n: number }
export const spotKey = (x: { building: string; category: Category }) => `${x.building}\u0000${x.category}`

export function cohortQueries(em: EntityManager, q: { communityId: number; from: Date; to: Date; now: Date }) {
  const base = (): SelectQueryBuilder<ServiceRequest> => em.getRepository(ServiceRequest).createQueryBuilder('r')
    .where('r.community_id = :c AND r.created_at >= :from AND r.created_at < :to', { c: q.communityId, from: q.from, to: q.to })
  const received = () => base().andWhere(RECEIVED)
  /** the cohort's open requests, read from ix_requests_open alone (MySQL's planner prefers ix_requests_created and reads every row) */
  const open = () => base().useIndex('ix_requests_open').andWhere(RECEIVED).andWhere('r.status IN (:...open)', { open: OPEN_STATUSES })

  return {
    /**
     * GROUP BY every value a count depends on: a few hundred cells whatever the cohort's size. `settled` (not in
     * an open status) cells do not depend on :now and can be rolled up; `open` ones are always read live.
     */
    async cells(part: 'settled' | 'open' | 'all' = 'all'): Promise<Cell[]> {
      const qb = part === 'all' ? received() : part === 'open' ? open() : received().andWhere('r.status NOT IN (:...open)')
      const rows = await qb.leftJoin(REMINDERS, 'rem', 'rem.rid = r.id').select('r.category', 'category').addSelect('r.grid_id', 'gridId').addSelect('r.status', 'status')
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

    /** of the resolved: how they were closed (已解决 / 部分解决 / 未解决（已说明原因） / 不属于社区职责（已转办）); none recorded = solved */
    async outcomes(): Promise<Record<ResolutionOutcome, number>> {
      const rows = await received().andWhere(RESOLVED).select("COALESCE(r.resolution_outcome, 'solved')", 'outcome').addSelect('COUNT(*)', 'n')
        .groupBy('outcome').getRawMany<{ outcome: ResolutionOutcome; n: unknown }>()
      const counts = Object.fromEntries(RESOLUTION_OUTCOMES.map((o) => [o, 0])) as Record<ResolutionOutcome, number>
      for (const x of rows) if (x.outcome in counts) counts[x.outcome] += Number(x.n)
      return counts
    },

    async resolveTimes(): Promise<{ createdAt: Date; resolvedAt: Date }[]> {
      const rows = await received().andWhere(RESOLVED).andWhere('r.resolved_at IS NOT NULL')
        .select('r.created_at', 'createdAt').addSelect('r.resolved_at', 'resolvedAt').getRawMany<Record<string, unknown>>()
      return rows.map((x) => ({ createdAt: dateOf(x.createdAt)!, resolvedAt: dateOf(x.resolvedAt)! }))
    },

    /** what slaColor needs of the cohort's open requests not past their 办结 deadline (their colour depends on now) */
    async openRows(): Promise<SlaFields[]> {
      const rows = await open().andWhere('(r.resolve_due_at IS NULL OR r.resolve_due_at >= :now)', { now: q.now })
        .select('r.status', 'status').addSelect('r.urgency', 'urgency').addSelect('r.accept_due_at', 'a').addSelect('r.resolve_due_at', 'b')
        .addSelect('r.accepted_at', 'c').addSelect('r.resolved_at', 'd').addSelect('r.closed_at', 'e').getRawMany<Record<string, unknown>>()
      return rows.map((x) => ({
        status: x.status as RequestStatus, urgency: x.urgency as Urgency, acceptDueAt: dateOf(x.a), resolveDueAt: dateOf(x.b),
        acceptedAt: dateOf(x.c), resolvedAt: dateOf(x.d), closedAt: dateOf(x.e),
      }))
    },

    /** resolved/closed: red when resolved after the deadline */
    async closedColors(): Promise<{ red: number; green: number }> {
      const rows = await received().andWhere(RESOLVED)
        .select('CASE WHEN r.resolve_due_at IS NOT NULL AND COALESCE(r.resolved_at, r.closed_at) > r.resolve_due_at THEN 1 ELSE 0 END', 'red')
        .addSelect('COUNT(*)', 'n').groupBy('red').getRawMany<{ red: unknown; n: unknown }>()
      const n = (red: number) => Number(rows.find((x) => Number(x.red) === red)?.n ?? 0)
      return { red: n(1), green: n(0) }
    },

    /** received requests by building (case-insensitive) and category */
    async spotCounts(): Promise<SpotCount[]> {
      const rows = await received().andWhere('r.building IS NOT NULL').select('UPPER(r.building)', 'b').addSelect('r.category', 'category')
        .addSelect('COUNT(*)', 'n').groupBy('b').addGroupBy('r.category').getRawMany<{ b: string; category: Category; n: unknown }>()
      return rows.map((x) => ({ building: x.b, category: x.category, n: Number(x.n) }))
    },

    /**
     * Of the given spots, each one's first `maxNos` request numbers in the cohort (oldest first: created_at, id).
     * Read in time windows growing fourfold from the start of the cohort: the earliest numbers are usually in the
     * first days. After two windows, `narrow` may name the only stretches left that can hold the rest (from the
     * daily rollups: the days each pending spot occurs on), so a spot first seen today does not make the window
     * functions read the whole period.
     */
    async spotNos(spots: { building: string; category: Category }[], maxNos: number,
      narrow?: (pending: { building: string; category: Category }[], from: Date) => Promise<{ from: Date; to: Date }[] | null>): Promise<Map<string, string[]>> {
      const wanted = new Map(spots.map((x) => [spotKey(x), [] as string[]]))
      const categories = [...new Set(spots.map((x) => x.category))]
      const pending = () => spots.filter((x) => wanted.get(spotKey(x))!.length < maxNos)
      const read = async (wf: number, wt: number) => {
        const inner = em.getRepository(ServiceRequest).createQueryBuilder('r')
          .where('r.community_id = :c AND r.created_at >= :wf AND r.created_at < :wt', { c: q.communityId, wf: new Date(wf), wt: new Date(wt) })
          .andWhere(RECEIVED).andWhere('r.building IS NOT NULL').andWhere('r.category IN (:...cats)', { cats: categories })
          .select('UPPER(r.building)', 'b').addSelect('r.category', 'category').addSelect('r.no', 'no')
          .addSelect('ROW_NUMBER() OVER (PARTITION BY UPPER(r.building), r.category ORDER BY r.created_at, r.id)', 'k')
        const rows = await em.createQueryBuilder().select(['t.b AS b', 't.category AS category', 't.no AS no'])
          .from(`(${inner.getQuery()})`, 't').setParameters(inner.getParameters())
          .where('t.k <= :maxNos', { maxNos }).orderBy('t.b').addOrderBy('t.category').addOrderBy('t.k')
          .getRawMany<{ b: string; category: Category; no: string }>()
        for (const x of rows) {
          const nos = wanted.get(spotKey({ building: x.b, category: x.category }))
          if (nos && nos.length < maxNos) nos.push(x.no)
        }
      }
      let from = q.from.getTime(), span = 86_400_000, windows = 0
      while (from < q.to.getTime() && pending().length && categories.length) {
        if (windows === 2 && narrow) {
          const ranges = await narrow(pending(), new Date(from))
          if (ranges) {
            for (const r of ranges) if (pending().length) await read(Math.max(from, r.from.getTime()), Math.min(q.to.getTime(), r.to.getTime()))
            break
          }
        }
        const to = Math.min(q.to.getTime(), from + span)
        await read(from, to)
        from = to
        span *= 4
        windows++
      }
      return wanted
    },

    /** the first urgent cases (oldest first), by ix_requests_urgency_created */
    urgent: (limit: number) => received().andWhere("r.urgency = 'urgent'").orderBy('r.created_at', 'ASC').addOrderBy('r.id', 'ASC').limit(limit).getMany(),

    /** of the cohort's open requests: how many are past their 办结 deadline (slaColor's first rule: red) */
    async openPastResolveDue(): Promise<number> {
      const [x] = await open().andWhere('r.resolve_due_at < :now', { now: q.now })
        .select('COUNT(*)', 'n').getRawMany<{ n: unknown }>()
      return Number(x?.n ?? 0)
    },

    /** community-wide, oldest first: open requests created before `to` */
    oldestOpen: (limit: number) => em.getRepository(ServiceRequest).createQueryBuilder('r')
      .where('r.community_id = :c AND r.created_at < :to AND r.status IN (:...open)', { c: q.communityId, to: q.to, open: OPEN_STATUSES })
      .orderBy('r.created_at', 'ASC').addOrderBy('r.id', 'ASC').limit(limit).getMany(),
  }
}
