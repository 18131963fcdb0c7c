import type { EntityManager } from 'typeorm'
import { slaDueAt, slaFor } from '../community/sla.js'
import { loadCommunity, staffById } from '../community/snapshot.js'
import { CATEGORIES, CATEGORY_NAMES, type Category } from '../community/taxonomy.js'
import { RequestEvent, ServiceRequest, type Rating } from '../db/entities/index.js'
import { slaColor, type SlaColor } from '../jobs/sla.js'
import { RESOLUTION_OUTCOMES, type ResolutionOutcome } from '../requests/resolutionOutcome.js'
import { OPEN_STATUSES, STATUS_NAMES, type RequestStatus } from '../requests/stateMachine.js'

// The 三率 and the figures behind the dashboard and the weekly digest. Everything is plain JSON
// (ISO strings, numbers, nulls) so it can be stored in digests.figures and served by the API as is.
//
// The cohort is the requests *created* in [from, to). Merged duplicates and cancelled requests are
// counted separately and left out of `received` and of every rate. States are evaluated as of `now`.

export interface StatsQuery {
  communityId: number
  from: Date
  to: Date
  /** what "overdue" and "still open" are measured against */
  now: Date
  /** grids with fewer requests than this are shown but not ranked (default 3) */
  minGridCount?: number
  /** same building + category at least this many times is a hot spot (default 3) */
  hotSpotMin?: number
}

export interface Rate {
  numerator: number
  denominator: number
  /** numerator / denominator, or null when nothing to measure */
  rate: number | null
}

export interface GridStats {
  gridId: number | null
  name: string
  received: number
  acceptedOnTime: number
  resolved: number
  responseRate: number | null
  resolutionRate: number | null
  satisfactionRate: number | null
  slaBreaches: number
  /** 1 = best; null when below minGridCount */
  rank: number | null
}

export interface RequestBrief {
  id: number
  no: string
  category: Category
  categoryName: string
  urgency: string
  building: string | null
  status: RequestStatus
  statusName: string
  color: SlaColor
  createdAt: string
  assignee: string | null
}

export interface Stats {
  communityId: number
  period: { from: string; to: string }
  generatedAt: string
  totals: {
    /** created in the period, excluding merged duplicates and cancelled */
    received: number
    /** of received: still in an open status now */
    open: number
    /** of received: resolved or closed */
    resolved: number
    closed: number
    reopened: number
    urgent: number
    slaBreaches: number
    merged: number
    cancelled: number
  }
  rates: {
    /** 响应率: first 签收 within its accept deadline / received */
    response: Rate
    /** 办结率: resolved (incl. closed) / received */
    resolution: Rate
    /** 满意率: (满意 + 基本满意) / rated; no_answer is not in the denominator */
    satisfaction: Rate
  }
  ratings: Record<Rating, number>
  /**
   * Of the resolved (incl. closed): how honestly they were closed — 已解决, 部分解决, 未解决（已说明原因）,
   * 不属于社区职责（已转办）; requests resolved before outcomes were recorded count as solved.
   * (Optional: digests stored before it was added lack it.)
   */
  outcomes?: Record<ResolutionOutcome, number>
  /** count = received; the 三率 as in byGrid (optional: digests stored before they were added lack them) */
  byCategory: { category: Category; name: string; count: number; responseRate?: number | null; resolutionRate?: number | null; satisfactionRate?: number | null }[]
  byGrid: GridStats[]
  medians: {
    /** dispatch → first 签收, minutes */
    acceptMinutes: number | null
    /** report → 办结, minutes */
    resolveMinutes: number | null
  }
  slaBreaches: { requests: number; accept: number; resolve: number }
  colors: Record<SlaColor, number>
  hotSpots: { building: string; category: Category; categoryName: string; count: number; nos: string[] }[]
  urgentCases: RequestBrief[]
  /** community-wide, oldest first: open requests created before `to` */
  oldestOpen: (RequestBrief & { ageHours: number })[]
  settings: { minGridCount: number; hotSpotMin: number }
}

const rate = (numerator: number, denominator: number): Rate => ({ numerator, denominator, rate: denominator ? numerator / denominator : null })

export function median(values: number[]): number | null {
  if (!values.length) return null
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

const minutesBetween = (a: Date, b: Date) => Math.round((b.getTime() - a.getTime()) / 60_000)
const RESOLVED: RequestStatus[] = ['resolved', 'closed']
const HAPPY: Rating[] = ['satisfied', 'basically_satisfied']

/** The SLA was breached: accepted/resolved after its deadline, still not done past it, or reminded by the SLA job. */
function breaches(r: ServiceRequest, now: Date, reminded: Set<string>) {
  const late = (done: Date | null, due: Date | null, stillOpen: boolean) =>
    !!due && (done ? done.getTime() > due.getTime() : stillOpen && now.getTime() > due.getTime())
  const open = OPEN_STATUSES.includes(r.status)
  const accept = late(r.acceptedAt, r.acceptDueAt, open) || reminded.has(`${r.id}:accept`)
  const resolve = late(r.resolvedAt, r.resolveDueAt, open) || reminded.has(`${r.id}:resolve`)
  return { accept, resolve, any: accept || resolve }
}

/** The 三率 and figures for one community and period. Read-only; safe outside a transaction. */
export async function computeStats(em: EntityManager, q: StatsQuery): Promise<Stats> {
  const minGridCount = q.minGridCount ?? 3
  const hotSpotMin = q.hotSpotMin ?? 3
  const community = await loadCommunity(em, q.communityId)
  const settings = community.community.settings
  const all = await em.getRepository(ServiceRequest).createQueryBuilder('r')
    .where('r.community_id = :c AND r.created_at >= :from AND r.created_at < :to', { c: q.communityId, from: q.from, to: q.to })
    .orderBy('r.id', 'ASC').getMany()
  const received = all.filter((r) => r.status !== 'merged' && r.status !== 'cancelled')

  // The cohort's lifecycle events: the first 签收 (or 办结, which implies it) against the dispatch before it,
  // so a request reopened later keeps the credit for its first timely response; SLA notices of an earlier
  // round (before a 重办 reset the claim columns) still count as breaches.
  const events = await em.getRepository(RequestEvent).createQueryBuilder('e')
    .innerJoin(ServiceRequest, 'r', 'r.id = e.request_id')
    .select(['e.id', 'e.requestId', 'e.type', 'e.data', 'e.createdAt'])
    .where('r.community_id = :c AND r.created_at >= :from AND r.created_at < :to', { c: q.communityId, from: q.from, to: q.to })
    .andWhere('e.type IN (:...types)', { types: ['dispatch', 'accept', 'resolve', 'sla_reminder', 'sla_escalation'] })
    .orderBy('e.id', 'ASC')
    .getMany()
  const reminded = new Set(events.filter((e) => e.type.startsWith('sla_')).map((e) => `${e.requestId}:${String(e.data?.phase ?? '')}`))
  const firstResponse = new Map<number, { dispatchedAt: Date; acceptedAt: Date; dueAt: Date }>()
  const lastDispatch = new Map<number, Date>()
  const byId = new Map(all.map((r) => [r.id, r]))
  for (const e of events) {
    if (e.type === 'dispatch') lastDispatch.set(e.requestId, e.createdAt)
    if ((e.type === 'accept' || e.type === 'resolve') && !firstResponse.has(e.requestId)) {
      const r = byId.get(e.requestId)!
      const dispatchedAt = lastDispatch.get(e.requestId) ?? r.dispatchedAt ?? r.createdAt
      const dueAt = slaDueAt(r.urgency, dispatchedAt, slaFor(r.urgency, settings).acceptMs, community.community.timezone)
      firstResponse.set(e.requestId, { dispatchedAt, acceptedAt: e.createdAt, dueAt })
    }
  }

  const acceptedOnTime = (r: ServiceRequest) => {
    const f = firstResponse.get(r.id)
    return !!f && f.acceptedAt.getTime() <= f.dueAt.getTime()
  }
  const isResolved = (r: ServiceRequest) => RESOLVED.includes(r.status)
  const isRated = (r: ServiceRequest) => !!r.rating && r.rating !== 'no_answer'
  const happy = (r: ServiceRequest) => !!r.rating && HAPPY.includes(r.rating)

  const ratings: Record<Rating, number> = { satisfied: 0, basically_satisfied: 0, unsatisfied: 0, no_answer: 0 }
  for (const r of received) if (r.rating) ratings[r.rating]++
  const rated = received.filter(isRated)
  const outcomes = Object.fromEntries(RESOLUTION_OUTCOMES.map((o) => [o, 0])) as Record<ResolutionOutcome, number>
  for (const r of received) if (isResolved(r)) outcomes[r.resolutionOutcome ?? 'solved']++
  const breach = new Map(received.map((r) => [r.id, breaches(r, q.now, reminded)]))
  const colors: Record<SlaColor, number> = { red: 0, yellow: 0, green: 0 }
  for (const r of received) colors[slaColor(r, q.now, settings)]++

  const brief = (r: ServiceRequest): RequestBrief => ({
    id: r.id, no: r.no, category: r.category, categoryName: CATEGORY_NAMES[r.category], urgency: r.urgency, building: r.building,
    status: r.status, statusName: STATUS_NAMES[r.status], color: slaColor(r, q.now, settings), createdAt: r.createdAt.toISOString(),
    assignee: staffById(community, r.assigneeStaffId)?.name ?? null,
  })

  const byCategory = CATEGORIES.map((category) => {
    const mine = received.filter((r) => r.category === category)
    const mineRated = mine.filter(isRated)
    return {
      category, name: CATEGORY_NAMES[category], count: mine.length,
      responseRate: rate(mine.filter(acceptedOnTime).length, mine.length).rate,
      resolutionRate: rate(mine.filter(isResolved).length, mine.length).rate,
      satisfactionRate: rate(mineRated.filter(happy).length, mineRated.length).rate,
    }
  })
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count || CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category))

  const gridRows: GridStats[] = [...community.grids.map((g) => ({ id: g.id as number | null, name: g.name })), { id: null, name: '未分网格' }]
    .map(({ id, name }) => {
      const mine = received.filter((r) => r.gridId === id)
      const mineRated = mine.filter(isRated)
      return {
        gridId: id, name, received: mine.length,
        acceptedOnTime: mine.filter(acceptedOnTime).length, resolved: mine.filter(isResolved).length,
        responseRate: rate(mine.filter(acceptedOnTime).length, mine.length).rate,
        resolutionRate: rate(mine.filter(isResolved).length, mine.length).rate,
        satisfactionRate: rate(mineRated.filter(happy).length, mineRated.length).rate,
        slaBreaches: mine.filter((r) => breach.get(r.id)!.any).length,
        rank: null as number | null,
      }
    })
    .filter((g) => g.gridId !== null || g.received > 0)
  const ranked = gridRows.filter((g) => g.received >= minGridCount)
    .sort((a, b) => (b.resolutionRate ?? 0) - (a.resolutionRate ?? 0) || (b.responseRate ?? 0) - (a.responseRate ?? 0)
      || (b.satisfactionRate ?? -1) - (a.satisfactionRate ?? -1) || a.slaBreaches - b.slaBreaches || a.name.localeCompare(b.name))
  ranked.forEach((g, i) => { g.rank = i + 1 })
  const byGrid = [...ranked, ...gridRows.filter((g) => g.rank === null).sort((a, b) => b.received - a.received)]

  const spots = new Map<string, ServiceRequest[]>()
  for (const r of received) {
    if (!r.building) continue
    const key = `${r.building.toUpperCase()}\u0000${r.category}`
    spots.set(key, [...(spots.get(key) ?? []), r])
  }
  const hotSpots = [...spots.values()].filter((rs) => rs.length >= hotSpotMin)
    .map((rs) => ({ building: rs[0]!.building!.toUpperCase(), category: rs[0]!.category, categoryName: CATEGORY_NAMES[rs[0]!.category], count: rs.length, nos: rs.map((r) => r.no) }))
    .sort((a, b) => b.count - a.count || a.building.localeCompare(b.building, 'en', { numeric: true }))

  const oldest = await em.getRepository(ServiceRequest).createQueryBuilder('r')
    .where('r.community_id = :c AND r.created_at < :to AND r.status IN (:...open)', { c: q.communityId, to: q.to, open: OPEN_STATUSES })
    .orderBy('r.created_at', 'ASC').addOrderBy('r.id', 'ASC').limit(5).getMany()

  return {
    communityId: q.communityId,
    period: { from: q.from.toISOString(), to: q.to.toISOString() },
    generatedAt: q.now.toISOString(),
    totals: {
      received: received.length,
      open: received.filter((r) => OPEN_STATUSES.includes(r.status)).length,
      resolved: received.filter(isResolved).length,
      closed: received.filter((r) => r.status === 'closed').length,
      reopened: received.filter((r) => r.reopenCount > 0).length,
      urgent: received.filter((r) => r.urgency === 'urgent').length,
      slaBreaches: received.filter((r) => breach.get(r.id)!.any).length,
      merged: all.filter((r) => r.status === 'merged').length,
      cancelled: all.filter((r) => r.status === 'cancelled').length,
    },
    rates: {
      response: rate(received.filter(acceptedOnTime).length, received.length),
      resolution: rate(received.filter(isResolved).length, received.length),
      satisfaction: rate(rated.filter(happy).length, rated.length),
    },
    ratings,
    outcomes,
    byCategory,
    byGrid,
    medians: {
      acceptMinutes: median(received.flatMap((r) => { const f = firstResponse.get(r.id); return f ? [minutesBetween(f.dispatchedAt, f.acceptedAt)] : [] })),
      resolveMinutes: median(received.filter((r) => isResolved(r) && r.resolvedAt).map((r) => minutesBetween(r.createdAt, r.resolvedAt!))),
    },
    slaBreaches: {
      requests: received.filter((r) => breach.get(r.id)!.any).length,
      accept: received.filter((r) => breach.get(r.id)!.accept).length,
      resolve: received.filter((r) => breach.get(r.id)!.resolve).length,
    },
    colors,
    hotSpots,
    urgentCases: received.filter((r) => r.urgency === 'urgent').slice(0, 10).map(brief),
    oldestOpen: oldest.map((r) => ({ ...brief(r), ageHours: Math.floor((q.now.getTime() - r.createdAt.getTime()) / 3600_000) })),
    settings: { minGridCount, hotSpotMin },
  }
}
