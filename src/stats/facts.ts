import type { EntityManager } from 'typeorm'
import { slaDueAt, slaFor } from '../community/sla.js'
import type { CommunitySnapshot } from '../community/snapshot.js'
import type { Category, Urgency } from '../community/taxonomy.js'
import type { Rating } from '../db/entities/index.js'
import { RESOLUTION_OUTCOMES, type ResolutionOutcome } from '../requests/resolutionOutcome.js'
import type { RequestStatus } from '../requests/stateMachine.js'
import { cohortQueries, spotKey, type Cell, type SpotCount } from './cohort.js'

// The summable figures of a stretch of the cohort: what does not depend on "now", so that one local day's
// facts can be stored (stats_daily) and the facts of any period are the sum of its days'. Computed from the
// request rows by one function, factsFromRows, whether for the daily rollup or for the days not rolled up.

export interface OnTime { category: Category; gridId: number | null; n: number }

export interface Facts {
  /** received requests in a settled (not open) status: their counts and breaches no longer depend on now */
  cells: Cell[]
  excluded: { merged: number; cancelled: number }
  /** received requests whose first 签收 (or 办结) met the accept deadline of the dispatch before it */
  onTime: OnTime[]
  /** minutes from dispatch to first 签收 → how many requests (all received with a first response) */
  acceptMinutes: Map<number, number>
  /** minutes from report to 办结 → how many (received, resolved or closed) */
  resolveMinutes: Map<number, number>
  outcomes: Record<ResolutionOutcome, number>
  closedColors: { red: number; green: number }
  /** received requests by building and category */
  spots: SpotCount[]
}

const minutesBetween = (a: Date, b: Date) => Math.round((b.getTime() - a.getTime()) / 60_000)
const bump = (m: Map<number, number>, k: number, n = 1) => m.set(k, (m.get(k) ?? 0) + n)
export const emptyOutcomes = () => Object.fromEntries(RESOLUTION_OUTCOMES.map((o) => [o, 0])) as Record<ResolutionOutcome, number>

/** The facts of the requests created in [from, to), read from the request and event rows. */
export async function factsFromRows(em: EntityManager, community: CommunitySnapshot, from: Date, to: Date): Promise<Facts> {
  const sql = cohortQueries(em, { communityId: community.community.id, from, to, now: to })
  const settings = community.community.settings
  const [cells, excluded, responses, resolveTimes, outcomes, closedColors, spots] = await Promise.all([
    sql.cells('settled'), sql.excluded(), sql.firstResponses(), sql.resolveTimes(), sql.outcomes(), sql.closedColors(), sql.spotCounts(),
  ])
  // 响应率: the first 签收 (or 办结, which implies it) against the accept deadline of the dispatch before it,
  // so a request reopened later keeps the credit for its first timely response.
  const acceptMinutes = new Map<number, number>()
  const onTime = new Map<string, OnTime>()
  for (const f of responses) {
    const dispatchedAt = f.dispatchAt ?? f.dispatchedAt ?? f.createdAt
    bump(acceptMinutes, minutesBetween(dispatchedAt, f.firstAt))
    if (f.firstAt.getTime() > slaDueAt(f.urgency, dispatchedAt, slaFor(f.urgency, settings).acceptMs, community.community.timezone).getTime()) continue
    const k = `${f.category}\u0000${f.gridId}`
    const t = onTime.get(k) ?? { category: f.category, gridId: f.gridId, n: 0 }
    t.n++
    onTime.set(k, t)
  }
  const resolveMinutes = new Map<number, number>()
  for (const r of resolveTimes) bump(resolveMinutes, minutesBetween(r.createdAt, r.resolvedAt))
  return { cells, excluded, onTime: [...onTime.values()], acceptMinutes, resolveMinutes, outcomes, closedColors, spots }
}

/** The facts of several stretches together (counts add up; histograms merge). */
export function mergeFacts(parts: Facts[]): Facts {
  const out: Facts = {
    cells: [], excluded: { merged: 0, cancelled: 0 }, onTime: [], acceptMinutes: new Map(), resolveMinutes: new Map(),
    outcomes: emptyOutcomes(), closedColors: { red: 0, green: 0 }, spots: [],
  }
  const spots = new Map<string, SpotCount>()
  for (const f of parts) {
    out.cells.push(...f.cells)
    out.onTime.push(...f.onTime)
    out.excluded.merged += f.excluded.merged
    out.excluded.cancelled += f.excluded.cancelled
    for (const [k, n] of f.acceptMinutes) bump(out.acceptMinutes, k, n)
    for (const [k, n] of f.resolveMinutes) bump(out.resolveMinutes, k, n)
    for (const o of RESOLUTION_OUTCOMES) out.outcomes[o] += f.outcomes[o]
    out.closedColors.red += f.closedColors.red
    out.closedColors.green += f.closedColors.green
    for (const s of f.spots) {
      const t = spots.get(spotKey(s))
      if (t) t.n += s.n
      else spots.set(spotKey(s), { ...s })
    }
  }
  out.spots = [...spots.values()]
  return out
}

/** The median of values given as value → count (the same as median() over the values written out). */
export function medianOfCounts(counts: Map<number, number>): number | null {
  const total = [...counts.values()].reduce((a, b) => a + b, 0)
  if (!total) return null
  const sorted = [...counts.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0])
  const at = (i: number) => {
    let seen = 0
    for (const [v, n] of sorted) { seen += n; if (i < seen) return v }
    return sorted[sorted.length - 1]![0]
  }
  const mid = total >> 1
  return total % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2
}

/** One stats_daily row: which fact, its descriptive columns, and a count. */
export interface FactRow {
  fact: 'cell' | 'excluded' | 'on_time' | 'accept_min' | 'resolve_min' | 'outcome' | 'color' | 'spot'
  category: string | null; gridId: number | null; status: string | null; urgency: string | null; rating: string | null
  flags: number; k: string | null; n: number
}

const row = (fact: FactRow['fact'], o: Partial<FactRow> & { n: number }): FactRow =>
  ({ fact, category: null, gridId: null, status: null, urgency: null, rating: null, flags: 0, k: null, ...o })
const REOPENED = 1, ACCEPT_BREACH = 2, RESOLVE_BREACH = 4

export function factsToRows(f: Facts): FactRow[] {
  const rows: FactRow[] = []
  for (const c of f.cells) {
    const flags = (c.reopened ? REOPENED : 0) | (c.acceptBreach ? ACCEPT_BREACH : 0) | (c.resolveBreach ? RESOLVE_BREACH : 0)
    rows.push(row('cell', { category: c.category, gridId: c.gridId, status: c.status, urgency: c.urgency, rating: c.rating, flags, n: c.n }))
  }
  for (const s of ['merged', 'cancelled'] as const) if (f.excluded[s]) rows.push(row('excluded', { status: s, n: f.excluded[s] }))
  for (const t of f.onTime) rows.push(row('on_time', { category: t.category, gridId: t.gridId, n: t.n }))
  for (const [m, n] of f.acceptMinutes) rows.push(row('accept_min', { k: String(m), n }))
  for (const [m, n] of f.resolveMinutes) rows.push(row('resolve_min', { k: String(m), n }))
  for (const o of RESOLUTION_OUTCOMES) if (f.outcomes[o]) rows.push(row('outcome', { k: o, n: f.outcomes[o] }))
  for (const c of ['red', 'green'] as const) if (f.closedColors[c]) rows.push(row('color', { k: c, n: f.closedColors[c] }))
  for (const s of f.spots) rows.push(row('spot', { category: s.category, k: s.building, n: s.n }))
  return rows
}

export function rowsToFacts(rows: FactRow[]): Facts {
  const f = mergeFacts([])
  for (const r of rows) {
    const category = r.category as Category
    switch (r.fact) {
      case 'cell':
        f.cells.push({
          category, gridId: r.gridId, status: r.status as RequestStatus, urgency: r.urgency as Urgency, rating: r.rating as Rating | null,
          reopened: !!(r.flags & REOPENED), acceptBreach: !!(r.flags & ACCEPT_BREACH), resolveBreach: !!(r.flags & RESOLVE_BREACH), n: r.n,
        })
        break
      case 'excluded': f.excluded[r.status as 'merged' | 'cancelled'] += r.n; break
      case 'on_time': f.onTime.push({ category, gridId: r.gridId, n: r.n }); break
      case 'accept_min': bump(f.acceptMinutes, Number(r.k), r.n); break
      case 'resolve_min': bump(f.resolveMinutes, Number(r.k), r.n); break
      case 'outcome': if (r.k && r.k in f.outcomes) f.outcomes[r.k as ResolutionOutcome] += r.n; break
      case 'color': f.closedColors[r.k as 'red' | 'green'] += r.n; break
      case 'spot': f.spots.push({ building: r.k!, category, n: r.n }); break
    }
  }
  return f
}
