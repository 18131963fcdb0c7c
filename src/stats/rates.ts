import type { EntityManager } from 'typeorm'
import { loadCommunity, staffById, type CommunitySnapshot } from '../community/snapshot.js'
import { CATEGORIES, CATEGORY_NAMES, type Category } from '../community/taxonomy.js'
import type { Rating, ServiceRequest } from '../db/entities/index.js'
import { slaColor, type SlaColor } from '../jobs/sla.js'
import type { ResolutionOutcome } from '../requests/resolutionOutcome.js'
import { OPEN_STATUSES, STATUS_NAMES, type RequestStatus } from '../requests/stateMachine.js'
import { cohortQueries, spotKey, type Cell } from './cohort.js'
import { factsFromRows, medianOfCounts, mergeFacts, type Facts, type OnTime } from './facts.js'
import { rolledUpFacts, spotStretches, type StatsPlan } from './rollups.js'

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
  /** false: compute every figure from the rows, ignoring the daily rollups (default: use them where valid) */
  rollups?: boolean
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
    /** 解决率: resolved (incl. closed) / received */
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

const RESOLVED: readonly RequestStatus[] = ['resolved', 'closed']
const HAPPY: readonly Rating[] = ['satisfied', 'basically_satisfied']
/** hot spots list at most this many request numbers each (the count stays exact) */
export const HOT_SPOT_MAX_NOS = 20

/** The counts behind the 三率 for one slice of the cohort (all, a category, a grid). */
interface Sums { received: number; resolved: number; rated: number; happy: number; breaches: number; onTime: number }
/** The slices a request counts in. */
const slicesOf = (x: { category: Category; gridId: number | null }) => ['all', `c:${x.category}`, `g:${x.gridId}`]

/** What each figure counts, in one place: received, resolved (incl. closed), rated (no_answer is not), happy, breached, on time. */
function sumSlices(cells: Cell[], onTime: OnTime[]): (slice: string) => Sums {
  const sums = new Map<string, Sums>()
  const of = (k: string) => {
    let t = sums.get(k)
    if (!t) { t = { received: 0, resolved: 0, rated: 0, happy: 0, breaches: 0, onTime: 0 }; sums.set(k, t) }
    return t
  }
  for (const c of cells) {
    for (const k of slicesOf(c)) {
      const t = of(k)
      t.received += c.n
      if (RESOLVED.includes(c.status)) t.resolved += c.n
      if (c.rating && c.rating !== 'no_answer') t.rated += c.n
      if (c.rating && HAPPY.includes(c.rating)) t.happy += c.n
      if (c.acceptBreach || c.resolveBreach) t.breaches += c.n
    }
  }
  for (const f of onTime) for (const k of slicesOf(f)) of(k).onTime += f.n
  return of
}

/**
 * The summable facts of the period: from the daily rollups where a whole local day is rolled up and unchanged
 * since, from the rows for the rest (partial days, today, days not rolled up or changed since): the same
 * function, factsFromRows, computes both. `rollups: false` computes everything from the rows.
 */
async function periodFacts(em: EntityManager, community: CommunitySnapshot, q: StatsQuery): Promise<{ facts: Facts; plan: StatsPlan | null }> {
  if (q.rollups === false) return { facts: await factsFromRows(em, community, q.from, q.to), plan: null }
  const { plan, facts } = await rolledUpFacts(em, community, q.from, q.to)
  const raw = await Promise.all(plan.raw.map((r) => factsFromRows(em, community, r.from, r.to)))
  return { facts: mergeFacts(facts ? [facts, ...raw] : raw), plan: plan.rolled.length ? plan : null }
}

/**
 * The 三率 and figures for one community and period. The summable part comes from periodFacts (daily rollups
 * plus the rows of what is not rolled up); what depends on now is read live: the open requests' cells and
 * colours, urgent cases, oldest open, and the hot spots' request numbers. Read-only; safe outside a
 * transaction. The digest, the dashboard and the console all call this.
 */
export async function computeStats(em: EntityManager, q: StatsQuery): Promise<Stats> {
  const minGridCount = q.minGridCount ?? 3
  const hotSpotMin = q.hotSpotMin ?? 3
  const community = await loadCommunity(em, q.communityId)
  const settings = community.community.settings
  const sql = cohortQueries(em, q)

  const [{ facts, plan }, openCells, openRed, openRows, urgent, oldest] = await Promise.all([
    periodFacts(em, community, q), sql.cells('open'), sql.openPastResolveDue(), sql.openRows(), sql.urgent(10), sql.oldestOpen(5),
  ])
  const cells = [...facts.cells, ...openCells]
  const qualifying = facts.spots.filter((x) => x.n >= hotSpotMin)
  const nos = await sql.spotNos(qualifying, HOT_SPOT_MAX_NOS, plan ? (pending, from) => spotStretches(em, community, plan, pending, from, HOT_SPOT_MAX_NOS) : undefined)
  const spots = qualifying.map((x) => ({ building: x.building, category: x.category, count: x.n, nos: nos.get(spotKey(x)) ?? [] }))
  const onTime = facts.onTime
  const slice = sumSlices(cells, onTime)
  const all = slice('all')
  const count = (pred: (c: Cell) => boolean) => cells.reduce((n, c) => (pred(c) ? n + c.n : n), 0)

  const ratings: Record<Rating, number> = { satisfied: 0, basically_satisfied: 0, unsatisfied: 0, no_answer: 0 }
  for (const c of cells) if (c.rating) ratings[c.rating] += c.n
  // Open requests past their 办结 deadline are red (slaColor's first rule), counted in SQL; slaColor decides the rest.
  const colors: Record<SlaColor, number> = { red: facts.closedColors.red + openRed, yellow: 0, green: facts.closedColors.green }
  for (const r of openRows) colors[slaColor(r, q.now, settings)]++

  const brief = (r: ServiceRequest): RequestBrief => ({
    id: r.id, no: r.no, category: r.category, categoryName: CATEGORY_NAMES[r.category], urgency: r.urgency, building: r.building,
    status: r.status, statusName: STATUS_NAMES[r.status], color: slaColor(r, q.now, settings), createdAt: r.createdAt.toISOString(),
    assignee: staffById(community, r.assigneeStaffId)?.name ?? null,
  })

  const byCategory = CATEGORIES.map((category) => {
    const t = slice(`c:${category}`)
    return {
      category, name: CATEGORY_NAMES[category], count: t.received,
      responseRate: rate(t.onTime, t.received).rate, resolutionRate: rate(t.resolved, t.received).rate, satisfactionRate: rate(t.happy, t.rated).rate,
    }
  })
    .filter((c) => c.count > 0)
    .sort((a, b) => b.count - a.count || CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category))

  const gridRows: GridStats[] = [...community.grids.map((g) => ({ id: g.id as number | null, name: g.name })), { id: null, name: '未分网格' }]
    .map(({ id, name }) => {
      const t = slice(`g:${id}`)
      return {
        gridId: id, name, received: t.received, acceptedOnTime: t.onTime, resolved: t.resolved,
        responseRate: rate(t.onTime, t.received).rate, resolutionRate: rate(t.resolved, t.received).rate, satisfactionRate: rate(t.happy, t.rated).rate,
        slaBreaches: t.breaches, rank: null as number | null,
      }
    })
    .filter((g) => g.gridId !== null || g.received > 0)
  const ranked = gridRows.filter((g) => g.received >= minGridCount)
    .sort((a, b) => (b.resolutionRate ?? 0) - (a.resolutionRate ?? 0) || (b.responseRate ?? 0) - (a.responseRate ?? 0)
      || (b.satisfactionRate ?? -1) - (a.satisfactionRate ?? -1) || a.slaBreaches - b.slaBreaches || a.name.localeCompare(b.name))
  ranked.forEach((g, i) => { g.rank = i + 1 })
  const byGrid = [...ranked, ...gridRows.filter((g) => g.rank === null).sort((a, b) => b.received - a.received)]

  const hotSpots = spots.map((h) => ({ ...h, categoryName: CATEGORY_NAMES[h.category] }))
    .sort((a, b) => b.count - a.count || a.building.localeCompare(b.building, 'en', { numeric: true }) || CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category))

  return {
    communityId: q.communityId,
    period: { from: q.from.toISOString(), to: q.to.toISOString() },
    generatedAt: q.now.toISOString(),
    totals: {
      received: all.received,
      open: count((c) => OPEN_STATUSES.includes(c.status)),
      resolved: all.resolved,
      closed: count((c) => c.status === 'closed'),
      reopened: count((c) => c.reopened),
      urgent: count((c) => c.urgency === 'urgent'),
      slaBreaches: all.breaches,
      merged: facts.excluded.merged,
      cancelled: facts.excluded.cancelled,
    },
    rates: {
      response: rate(all.onTime, all.received),
      resolution: rate(all.resolved, all.received),
      satisfaction: rate(all.happy, all.rated),
    },
    ratings,
    outcomes: facts.outcomes,
    byCategory,
    byGrid,
    medians: {
      acceptMinutes: medianOfCounts(facts.acceptMinutes),
      resolveMinutes: medianOfCounts(facts.resolveMinutes),
    },
    slaBreaches: { requests: all.breaches, accept: count((c) => c.acceptBreach), resolve: count((c) => c.resolveBreach) },
    colors,
    hotSpots,
    urgentCases: urgent.map(brief),
    oldestOpen: oldest.map((r) => ({ ...brief(r), ageHours: Math.floor((q.now.getTime() - r.createdAt.getTime()) / 3600_000) })),
    settings: { minGridCount, hotSpotMin },
  }
}
