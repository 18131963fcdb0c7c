import fc from 'fast-check'
import cron from 'node-cron'
import { describe, expect, it } from 'vitest'
import type { ServiceRequest } from '../../src/db/entities/index.js'
import { CronSyntaxError, dueRuns, JOBS } from '../../src/jobs/registry.js'
import { slaColor } from '../../src/jobs/sla.js'
import { sortTodo, todoItem } from '../../src/jobs/dailyTodo.js'
import { previousWeek } from '../../src/stats/period.js'
import { median } from '../../src/stats/rates.js'
import { groundedSummary, renderDigestText, summaryInput, type DigestFigures } from '../../src/stats/render.js'

const SH = 'Asia/Shanghai'
const local = (s: string) => new Date(`${s}+08:00`)
const iso = (ds: Date[]) => ds.map((x) => x.toISOString())

describe('dueRuns', () => {
  it.each([
    ['30 8 * * *', '2026-11-23T00:00:00', '2026-11-25T23:59:00', ['2026-11-23T08:30:00', '2026-11-24T08:30:00', '2026-11-25T08:30:00']],
    ['0 8 * * 1', '2026-11-23T08:00:00', '2026-12-14T08:00:00', ['2026-11-30T08:00:00', '2026-12-07T08:00:00', '2026-12-14T08:00:00']], // (from, to]
    ['0 8 * * mon', '2026-11-22T00:00:00', '2026-11-30T00:00:00', ['2026-11-23T08:00:00']],
    ['0 8 * * 7', '2026-11-23T00:00:00', '2026-12-01T00:00:00', ['2026-11-29T08:00:00']], // 7 = Sunday
    ['0 8 * * 0', '2026-11-23T00:00:00', '2026-12-01T00:00:00', ['2026-11-29T08:00:00']],
    ['0 9-11,14 * * 1-5', '2026-11-28T00:00:00', '2026-11-30T12:00:00', ['2026-11-30T09:00:00', '2026-11-30T10:00:00', '2026-11-30T11:00:00']], // Sat, Sun skipped
    ['10-30/10 * * * *', '2026-11-23T10:00:00', '2026-11-23T10:59:00', ['2026-11-23T10:10:00', '2026-11-23T10:20:00', '2026-11-23T10:30:00']],
    ['0 0 1 * *', '2026-11-15T00:00:00', '2027-01-15T00:00:00', ['2026-12-01T00:00:00', '2027-01-01T00:00:00']],
    ['0 12 * jan,feb *', '2026-12-30T00:00:00', '2027-01-02T00:00:00', ['2027-01-01T12:00:00']],
    ['0 8 * * 1', '2026-11-23T08:00:30', '2026-11-23T09:00:00', []],
  ])('%s in (%s, %s]', (expr, from, to, expected) => {
    expect(iso(dueRuns(expr, local(from), local(to), SH))).toEqual(iso(expected.map(local)))
  })

  it('counts every-minute and every-5-minute schedules over an hour', () => {
    expect(dueRuns('* * * * *', local('2026-11-23T10:00:00'), local('2026-11-23T11:00:00'), SH)).toHaveLength(60)
    const five = dueRuns('*/5 * * * *', local('2026-11-23T10:00:00'), local('2026-11-23T11:00:00'), SH)
    expect(five).toHaveLength(12)
    expect(five[0]!.toISOString()).toBe(local('2026-11-23T10:05:00').toISOString())
    expect(dueRuns('* * * * *', local('2026-11-23T10:00:00'), local('2026-11-23T10:00:00'), SH)).toEqual([])
  })

  it('evaluates on local time: the same expression differs by zone, and a skipped DST hour does not fire', () => {
    const [utc] = dueRuns('0 8 * * *', new Date('2026-11-23T00:00:00Z'), new Date('2026-11-23T23:59:00Z'), 'UTC')
    const [sh] = dueRuns('0 8 * * *', new Date('2026-11-22T12:00:00Z'), new Date('2026-11-23T23:59:00Z'), SH)
    expect(utc!.getTime() - sh!.getTime()).toBe(8 * 3600_000)
    // New York springs forward on 8 March 2026: 02:30 does not exist that day.
    const ny = dueRuns('30 2 * * *', new Date('2026-03-07T00:00:00Z'), new Date('2026-03-10T00:00:00Z'), 'America/New_York')
    expect(ny.map((x) => x.toISOString())).toEqual(['2026-03-07T07:30:00.000Z', '2026-03-09T06:30:00.000Z'])
  })

  it.each(['61 * * * *', '* * *', 'a b c d e', '*/0 * * * *', '5-1 * * * *', '* * 0 * *', '* * * 13 *'])('rejects %s', (expr) => {
    expect(() => dueRuns(expr, new Date(0), new Date(60_000), SH)).toThrow(CronSyntaxError)
  })

  it('agrees with node-cron on when each job fires', () => {
    const exprs = [...JOBS.map((j) => j.schedule), '0 9-11,14 * * 1-5', '*/7 3 1,15 * *', '0 0 * * sun']
    const tasks = exprs.map((e) => cron.createTask(e, () => undefined, { timezone: SH }))
    try {
      // Random days and hours, minutes biased towards the ones these schedules use, so firing minutes are common.
      const minutes = fc.oneof(fc.constantFrom(0, 7, 14, 30, 35), fc.integer({ min: 0, max: 59 }))
      fc.assert(fc.property(fc.integer({ min: 0, max: 730 }), fc.integer({ min: 0, max: 23 }), minutes, fc.nat(exprs.length - 1), (day, hour, minute, i) => {
        const t = new Date(Date.UTC(2026, 0, 1) + ((day * 24 + hour) * 60 + minute) * 60_000)
        const fires = dueRuns(exprs[i]!, new Date(t.getTime() - 1), t, SH).length === 1
        expect(fires).toBe(tasks[i]!.match(t))
      }), { numRuns: 600 })
      // Make sure the property saw firing minutes too, not only quiet ones.
      const monday8 = local('2026-11-30T08:00:00')
      expect(tasks[exprs.indexOf('0 8 * * 1')]!.match(monday8)).toBe(true)
      expect(dueRuns('0 8 * * 1', new Date(monday8.getTime() - 1), monday8, SH)).toHaveLength(1)
    } finally {
      for (const t of tasks) void t.destroy()
    }
  })

  it('registers the jobs with the documented schedules', () => {
    expect(Object.fromEntries(JOBS.map((j) => [j.name, j.schedule]))).toEqual({
      sla: '* * * * *', callbacks: '*/5 * * * *', care_visits: '0 8 * * *', daily_todo: '30 8 * * *', recurring_problems: '0 7 * * 1', stats_rollup: '10 * * * *',
      verified_report_points: '0 6 * * *', weekly_digest: '0 8 * * 1',
    })
  })
})

describe('previousWeek (Asia/Shanghai)', () => {
  it.each([
    ['2026-11-30T08:00:00', '2026-11-23T00:00:00', '2026-11-30T00:00:00'],
    ['2026-11-30T00:00:00', '2026-11-23T00:00:00', '2026-11-30T00:00:00'],
    ['2026-11-29T23:59:00', '2026-11-16T00:00:00', '2026-11-23T00:00:00'], // Sunday night is still that week
    ['2027-01-04T08:00:00', '2026-12-28T00:00:00', '2027-01-04T00:00:00'], // across the year
    ['2026-12-02T10:00:00', '2026-11-23T00:00:00', '2026-11-30T00:00:00'], // a late catch-up on Wednesday
  ])('at %s → [%s, %s)', (at, from, to) => {
    const w = previousWeek(local(at), SH)
    expect([w.from.toISOString(), w.to.toISOString()]).toEqual([local(from).toISOString(), local(to).toISOString()])
  })

  it('Monday 00:00 is local, not UTC: a request at Sunday 23:30 local is inside, Monday 00:10 local outside', () => {
    const w = previousWeek(local('2026-11-30T08:00:00'), SH)
    const inside = (t: Date) => t >= w.from && t < w.to
    expect(inside(local('2026-11-29T23:30:00'))).toBe(true) // 15:30 UTC on Sunday
    expect(inside(local('2026-11-30T00:10:00'))).toBe(false) // still Sunday in UTC
    expect(inside(local('2026-11-23T00:00:00'))).toBe(true)
    expect(inside(local('2026-11-22T23:59:59'))).toBe(false)
  })
})

describe('slaColor', () => {
  const base = local('2026-11-23T09:00:00')
  const H = 3600_000
  const req = (o: Partial<ServiceRequest>) => ({
    status: 'dispatched', urgency: 'normal', acceptDueAt: new Date(base.getTime() + 4 * H), resolveDueAt: new Date(base.getTime() + 72 * H),
    acceptedAt: null, resolvedAt: null, closedAt: null, ...o,
  }) as ServiceRequest
  const at = (h: number) => new Date(base.getTime() + h * H)
  it.each([
    ['fresh', req({}), 0, 'green'],
    ['just before 75% of the 4 h accept window', req({}), 2.9, 'green'],
    ['past 75% of the accept window', req({}), 3.1, 'yellow'],
    ['accept deadline passed', req({}), 4.01, 'red'],
    ['accepted: measured against the 72 h resolve window', req({ status: 'accepted', acceptedAt: at(1) }), 5, 'green'],
    ['accepted, within the last 25% of resolve', req({ status: 'accepted', acceptedAt: at(1) }), 55, 'yellow'],
    ['accepted, resolve deadline passed', req({ status: 'accepted', acceptedAt: at(1) }), 73, 'red'],
    ['urgent: 15 min accept window is within the last hour from the start', req({ urgency: 'urgent', acceptDueAt: at(0.25), resolveDueAt: at(2) }), 0, 'yellow'],
    ['resolved on time stays green', req({ status: 'resolved', acceptedAt: at(1), resolvedAt: at(10) }), 500, 'green'],
    ['closed late stays red', req({ status: 'closed', acceptedAt: at(1), resolvedAt: at(80), closedAt: at(90) }), 100, 'red'],
    ['cancelled', req({ status: 'cancelled' }), 100, 'green'],
    ['no deadlines', req({ status: 'new', acceptDueAt: null, resolveDueAt: null }), 100, 'green'],
  ])('%s', (_, r, hours, color) => {
    expect(slaColor(r, at(hours))).toBe(color)
  })
})

describe('to-do order and median', () => {
  it('puts overdue first, then by deadline', () => {
    const now = local('2026-11-24T08:30:00')
    const r = (id: number, o: Partial<ServiceRequest>) => ({ id, status: 'dispatched', acceptedAt: null, acceptDueAt: null, resolveDueAt: null, ...o }) as ServiceRequest
    const items = [
      r(1, { acceptDueAt: local('2026-11-24T12:00:00'), resolveDueAt: local('2026-11-27T09:00:00') }),
      r(2, { status: 'accepted', acceptedAt: local('2026-11-20T09:00:00'), resolveDueAt: local('2026-11-23T09:00:00') }), // overdue resolve
      r(3, { acceptDueAt: local('2026-11-23T13:00:00'), resolveDueAt: local('2026-11-26T09:00:00') }), // overdue accept
      r(4, { status: 'accepted', acceptedAt: local('2026-11-24T08:00:00'), resolveDueAt: local('2026-11-24T10:00:00') }),
    ].map((x) => todoItem(x, now))
    expect(sortTodo(items).map((i) => [i.request.id, i.overdue, i.action])).toEqual([[2, true, '办结'], [3, true, '签收'], [4, false, '办结'], [1, false, '签收']])
  })
  it('median', () => {
    expect(median([])).toBeNull()
    expect(median([5])).toBe(5)
    expect(median([300, 10, 60, 30])).toBe(45)
    expect(median([3, 1, 2])).toBe(2)
  })
})

describe('digest text', () => {
  const rate = (n: number, d: number) => ({ numerator: n, denominator: d, rate: d ? n / d : null })
  const brief = (i: number) => ({
    id: i, no: String(i), category: 'repair' as const, categoryName: '维修报修', urgency: 'urgent', building: String(i % 12 + 1), status: 'dispatched' as const,
    statusName: '已派单', color: 'red' as const, createdAt: '2026-11-23T01:00:00.000Z', assignee: '王芳',
  })
  const figures = (scale: number): DigestFigures => ({
    communityId: 1, community: { id: 1, name: '幸福里社区', timezone: SH },
    period: { from: local('2026-11-23T00:00:00').toISOString(), to: local('2026-11-30T00:00:00').toISOString() }, generatedAt: local('2026-11-30T08:00:00').toISOString(),
    totals: { received: 40 * scale, open: 5, resolved: 35 * scale - 5, closed: 30, reopened: 2, urgent: 3, slaBreaches: 4, merged: 1, cancelled: 0 },
    rates: { response: rate(36 * scale, 40 * scale), resolution: rate(35 * scale - 5, 40 * scale), satisfaction: rate(27, 30) },
    ratings: { satisfied: 20, basically_satisfied: 7, unsatisfied: 3, no_answer: 2 },
    byCategory: [{ category: 'repair', name: '维修报修', count: 30 }, { category: 'environment', name: '环境卫生', count: 10 }],
    byGrid: Array.from({ length: 10 * scale }, (_, i) => ({ gridId: i + 1, name: `第${i + 1}网格很长很长的名字`, received: 10, acceptedOnTime: 9, resolved: 8, responseRate: 0.9, resolutionRate: 0.8, satisfactionRate: 0.9, slaBreaches: 1, rank: i + 1 })),
    medians: { acceptMinutes: 42, resolveMinutes: 1500 },
    slaBreaches: { requests: 4, accept: 3, resolve: 2 },
    colors: { red: 4, yellow: 3, green: 33 },
    hotSpots: Array.from({ length: 3 * scale }, (_, i) => ({ building: String(i + 1), category: 'repair' as const, categoryName: '维修报修', count: 3 + i, nos: ['1'] })),
    urgentCases: Array.from({ length: 3 }, (_, i) => brief(i + 1)),
    oldestOpen: Array.from({ length: 5 }, (_, i) => ({ ...brief(i + 10), ageHours: 200 - i })),
    settings: { minGridCount: 3, hotSpotMin: 3 },
  })

  it('fits 1,500 characters with the 三率 first, and cuts on a line with a pointer to the web page', () => {
    const big = renderDigestText(figures(12), '本周收件较多。办结率保持稳定。请关注超时工单。')
    expect(big.length).toBeLessThanOrEqual(1500)
    const lines = big.split('\n')
    expect(lines[0]).toBe('【社区周报】幸福里社区 11月23日—11月29日')
    expect(lines[1]).toBe('摘要：本周收件较多。办结率保持稳定。请关注超时工单。')
    expect(lines[3]).toMatch(/^【三率】响应率 90%/)
    expect(lines.at(-1)).toBe('……（更多见网页版周报）')
    const small = renderDigestText(figures(1))
    expect(small).not.toContain('更多见网页版')
    expect(small).toContain('【时效】签收中位 42分钟｜办结中位 25小时')
    // a grid with too few requests to rank is named with the reason it is not ranked
    const few = figures(1)
    few.byGrid = [...few.byGrid.slice(0, 2), { ...few.byGrid[2]!, name: '第三网格', received: 1, rank: null }]
    expect(renderDigestText(few).split('\n')).toContain('未排名（收件不足 3 件）：第三网格 1 件')
  })

  it('keeps an LLM summary to three sentences and only when its numbers are among the figures', () => {
    const input = summaryInput(figures(1))
    expect(input).toMatchObject({ 收件: 40, 按时签收: 36, 满意及基本满意: 27 })
    expect(groundedSummary('本周收件40件，按时签收36件。办结率75%。满意率90%，请关注超时工单。多余的第四句。', input))
      .toBe('本周收件40件，按时签收36件。办结率75%。满意率90%，请关注超时工单。')
    // 41 is not a figure: the model made it up, so the summary is dropped (the digest still goes out).
    expect(groundedSummary('本周收件41件。办结率75%。满意率90%。', input)).toBeNull()
    expect(groundedSummary('   ', input)).toBeNull()
  })
})
