import type { Stats } from '../../src/stats/rates.js'

/**
 * The 书记's dashboard: the 三率 by grid and by category, counts and median times, from computeStats.
 * A whitelist of its figures (all aggregates, staff names at most; never a resident's identity).
 */
export function presentDashboard(s: Stats, o: { timeZone: string }) {
  return {
    period: { from: s.period.from, to: s.period.to, timeZone: o.timeZone },
    generatedAt: s.generatedAt,
    totals: s.totals,
    /** 响应率, 办结率, 满意率: numerator, denominator and rate (0..1, null when nothing to measure) */
    rates: s.rates,
    ratings: s.ratings,
    byGrid: s.byGrid,
    byCategory: s.byCategory,
    medians: s.medians,
    slaBreaches: s.slaBreaches,
    colors: s.colors,
    hotSpots: s.hotSpots,
    urgentCases: s.urgentCases,
    oldestOpen: s.oldestOpen,
  }
}
export type DashboardView = ReturnType<typeof presentDashboard>
