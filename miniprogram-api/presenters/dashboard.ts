import { z } from 'zod'
import { CATEGORIES } from '../../src/community/taxonomy.js'
import { RATINGS } from '../../src/db/entities/index.js'
import { RESOLUTION_OUTCOMES } from '../../src/requests/resolutionOutcome.js'
import { REQUEST_STATUSES } from '../../src/requests/stateMachine.js'
import type { Stats } from '../../src/stats/rates.js'

const count = z.number().int()
const ratio = z.number().nullable().meta({ description: '0..1, null when there is nothing to measure' })
const rateView = z.object({ numerator: count, denominator: count, rate: ratio })
const color = z.enum(['red', 'yellow', 'green'])
const requestBrief = z.object({
  id: count, no: z.string(), category: z.enum(CATEGORIES), categoryName: z.string(), urgency: z.string(), building: z.string().nullable(),
  status: z.enum(REQUEST_STATUSES), statusName: z.string(), color, createdAt: z.string(), assignee: z.string().nullable(),
})

/** The 书记's dashboard (GET /api/dashboard): the OpenAPI schema and the presenter's return type. */
export const dashboardView = z.object({
  period: z.object({ from: z.string(), to: z.string(), timeZone: z.string() }),
  generatedAt: z.string(),
  totals: z.object({
    received: count, open: count, resolved: count, closed: count, reopened: count, urgent: count, slaBreaches: count, merged: count, cancelled: count,
  }),
  /** 响应率, 解决率, 满意率 */
  rates: z.object({ response: rateView, resolution: rateView, satisfaction: rateView }),
  ratings: z.record(z.enum(RATINGS), count),
  /** of the resolved: 已解决 / 部分解决 / 未解决（已说明原因） / 不属于社区职责（已转办） */
  outcomes: z.record(z.enum(RESOLUTION_OUTCOMES), count),
  byGrid: z.array(z.object({
    gridId: count.nullable(), name: z.string(), received: count, acceptedOnTime: count, resolved: count,
    responseRate: ratio, resolutionRate: ratio, satisfactionRate: ratio, slaBreaches: count, rank: count.nullable(),
  })),
  byCategory: z.array(z.object({
    category: z.enum(CATEGORIES), name: z.string(), count,
    responseRate: ratio.optional(), resolutionRate: ratio.optional(), satisfactionRate: ratio.optional(),
  })),
  /** minutes: dispatch → first 签收, report → 办结 */
  medians: z.object({ acceptMinutes: z.number().nullable(), resolveMinutes: z.number().nullable() }),
  slaBreaches: z.object({ requests: count, accept: count, resolve: count }),
  colors: z.record(color, count),
  hotSpots: z.array(z.object({ building: z.string(), category: z.enum(CATEGORIES), categoryName: z.string(), count, nos: z.array(z.string()) })),
  urgentCases: z.array(requestBrief),
  oldestOpen: z.array(requestBrief.extend({ ageHours: count })),
})
export type DashboardView = z.infer<typeof dashboardView>

/**
 * The 书记's dashboard: the 三率 by grid and by category, counts and median times, from computeStats.
 * A whitelist of its figures (all aggregates, staff names at most; never a resident's identity).
 */
export function presentDashboard(s: Stats, o: { timeZone: string }): DashboardView {
  return {
    period: { from: s.period.from, to: s.period.to, timeZone: o.timeZone },
    generatedAt: s.generatedAt,
    totals: s.totals,
    rates: s.rates,
    ratings: s.ratings,
    outcomes: s.outcomes ?? { solved: s.totals.resolved, partial: 0, unsolved_explained: 0, referred: 0 },
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
