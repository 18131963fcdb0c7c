import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { loadCommunity } from '../../src/community/snapshot.js'
import type { ServiceRequest } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { jobNamed } from '../../src/jobs/registry.js'
import { runStatsRollup } from '../../src/jobs/statsRollup.js'
import { toSqlTime } from '../../src/jobs/sql.js'
import { acceptRequest, cancelRequest, closeUnanswered, mergeRequest, resolveRequest, SYSTEM } from '../../src/requests/index.js'
import { computeStats, type StatsQuery } from '../../src/stats/rates.js'
import { rolledUpFacts, statsTriggersPresent } from '../../src/stats/rollups.js'
import { answerAskedCallback } from '../helpers/callbacks.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest, resident, staffNamed } from '../helpers/fixtures.js'
import { jobContext } from '../jobs/helpers.js'

/** Local Asia/Shanghai time in late November 2026: d('23T09:00') is Monday 23 November 09:00. */
const d = (s: string) => new Date(`2026-11-${s}:00+08:00`)

describeEachDb('daily rollups of the 三率', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(d('23T08:00'))
  const reqs: Record<string, ServiceRequest> = {}
  const people: Record<string, { id: number }> = {}
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
    await seedWeek()
  })
  afterAll(() => close())

  const at = (s: string) => clock.set(d(s))
  const rate = (k: string, when: string, text: string) => { at(when); return inTransaction(db, (em) => answerAskedCallback(em, clock, { residentId: people[k]!.id, text })) }

  /** A week with every kind of request: on time and late, closed, reopened-to-be, cancelled, merged, urgent, open. */
  async function seedWeek() {
    const [wang, liu] = [await staffNamed(db, '王芳'), await staffNamed(db, '刘强')]
    for (const k of ['A', 'B', 'C', 'D', 'E']) people[k] = await resident(db, communityId, `居民${k}`)
    const file = async (k: string, when: string, o: Parameters<typeof fileRequest>[3] = {}) => {
      at(when)
      reqs[k] = await fileRequest(db, clock, communityId, { reporterId: people[k]?.id ?? null, text: `${k}：楼道灯坏了`, ...o })
    }
    const accept = (k: string, when: string, staff = wang) => { at(when); return inTransaction(db, (em) => acceptRequest(em, clock, { requestId: reqs[k]!.id, staff, channel: 'private' })) }
    const resolve = (k: string, when: string, staff = wang) => { at(when); return inTransaction(db, (em) => resolveRequest(em, clock, { requestId: reqs[k]!.id, staff, channel: 'private' })) }

    await file('A', '23T09:00')
    await accept('A', '23T10:00')
    await file('B', '23T10:00')
    await accept('B', '23T15:00') // late: 300 > 240 minutes
    await resolve('A', '24T09:00')
    await file('C', '24T09:00')
    await accept('C', '24T09:30')
    expect((await rate('A', '24T11:00', '1'))!.outcome).toBe('closed')
    await file('K', '24T11:00', { building: '4', category: 'dispute', text: 'K：邻居装修太吵' })
    await resolve('C', '24T12:00')
    at('24T16:00')
    await inTransaction(db, (em) => cancelRequest(em, clock, { requestId: reqs.K!.id, actor: SYSTEM, reason: '居民撤回', channel: 'system' }))
    await file('M', '25T09:00')
    await inTransaction(db, (em) => mergeRequest(em, clock, { requestId: reqs.M!.id, intoId: reqs.B!.id, actor: SYSTEM, channel: 'system' }))
    await resolve('B', '25T10:00')
    await file('D', '25T14:00', { building: '5', category: 'environment', text: 'D：垃圾没人清' })
    await accept('D', '25T15:00', liu)
    await file('E', '26T08:00', { building: '5', category: 'environment', urgency: 'urgent', text: 'E：楼道堆放杂物着火隐患' })
    await accept('E', '26T08:10', liu)
    await resolve('E', '26T09:30', liu)
    await resolve('D', '26T14:00', liu)
    await file('F', '27T10:00', { building: '8' })
    await file('G', '28T10:00')
    await accept('G', '28T11:00')
    at('28T16:00')
    await inTransaction(db, (em) => closeUnanswered(em, clock, reqs.D!.id))
    await file('H', '29T23:30', { urgency: 'low' })
    await file('I', '30T00:10')
    at('30T07:00')
  }

  const periods = (): StatsQuery[] => [
    { communityId, from: d('23T00:00'), to: d('30T00:00'), now: clock.now() }, // the digest's week, whole days
    { communityId, from: d('23T12:00'), to: clock.now(), now: clock.now() }, // a partial first day, and today
    { communityId, from: d('16T00:00'), to: new Date(d('30T00:00').getTime() + 86_400_000), now: clock.now() }, // the dashboard's days, today included
  ]
  /** Every figure of every period equals the one computed from the rows alone. */
  async function expectSameAsRows() {
    for (const q of periods()) expect(await computeStats(db.manager, q), `${q.from.toISOString()}–${q.to.toISOString()}`).toEqual(await computeStats(db.manager, { ...q, rollups: false }))
  }
  const rolledDays = async () => (await rolledUpFacts(db.manager, await loadCommunity(db.manager, communityId), d('23T00:00'), d('30T00:00'))).plan.rolled
  const week = () => computeStats(db.manager, periods()[0]!)

  it('has the triggers that mark changed days', async () => {
    expect(await statsTriggersPresent(db)).toBe(true)
    expect(await rolledDays()).toEqual([]) // nothing rolled up yet: all from the rows
  })

  it('rolls up every past day once; running it again, or in two instances, rolls up nothing twice', async () => {
    const job = jobNamed('stats_rollup')!
    const [x, y] = await Promise.all([job.run(jobContext(db, clock), d('30T07:00')), job.run(jobContext(db, clock), d('30T07:00'))])
    // 1–29 November (from the first of the month, so that it can be complete; today, the 30th, is never rolled up:
    // its requests change all day); the loser of the lock skips.
    expect(x.acted + y.acted).toBe(29)
    expect([x.skipped, y.skipped].filter(Boolean)).toHaveLength(1)
    expect((await runStatsRollup({ db, clock })).acted).toBe(0)
    expect((await job.run(jobContext(db, clock), d('30T08:10'))).acted).toBe(0)
    expect(await rolledDays()).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29'])
    const [{ n }] = await db.query('SELECT COUNT(*) AS n FROM stats_daily WHERE community_id = ?', [communityId])
    expect(Number(n)).toBeGreaterThan(0)
  })

  it('rolled-up figures equal the figures computed from the rows, for whole, partial and current periods', async () => {
    expect((await week()).totals).toEqual({ received: 8, open: 3, resolved: 5, closed: 2, reopened: 0, urgent: 1, slaBreaches: 2, merged: 1, cancelled: 1 })
    await expectSameAsRows()
  })

  it('a request rated late, after its day was rolled up, counts at once and after the next rollup', async () => {
    const before = await week()
    expect((await rate('B', '30T09:00', '2'))!.outcome).toBe('closed') // B was filed on the 23rd
    expect(await rolledDays()).not.toContain('2026-11-23')
    const after = await week()
    expect(after.rates.satisfaction.numerator).toBe(before.rates.satisfaction.numerator + 1)
    expect(after.totals.closed).toBe(before.totals.closed + 1)
    await expectSameAsRows()
  })

  it('a request reopened after its day was rolled up leaves the resolved and counts as reopened', async () => {
    const before = await week()
    expect((await rate('C', '30T09:30', '3'))!.outcome).toBe('reopened') // C was filed on the 24th
    expect(await rolledDays()).not.toContain('2026-11-24')
    const after = await week()
    expect(after.totals.reopened).toBe(before.totals.reopened + 1)
    expect(after.totals.resolved).toBe(before.totals.resolved - 1)
    await expectSameAsRows()
  })

  it('any writer is seen: a bare UPDATE of a rating, an event row inserted alone', async () => {
    const before = await week()
    await db.query("UPDATE requests SET rating = 'unsatisfied' WHERE id = ?", [reqs.D!.id]) // D: the 25th, no_answer before
    await db.query(`INSERT INTO request_events (request_id, type, from_status, to_status, actor_type, actor_id, channel, data, created_at)
      VALUES (?, 'sla_reminder', NULL, NULL, 'system', NULL, 'system', ?, ?)`, [reqs.G!.id, JSON.stringify({ phase: 'accept' }), toSqlTime(d('30T09:40'))]) // G: the 28th
    expect(await rolledDays()).toEqual(['2026-11-26', '2026-11-27', '2026-11-29'])
    const after = await week()
    expect(after.ratings.unsatisfied).toBe(before.ratings.unsatisfied + 1)
    expect(after.ratings.no_answer).toBe(before.ratings.no_answer - 1)
    expect(after.slaBreaches.accept).toBe(before.slaBreaches.accept + 1)
    await expectSameAsRows()
  })

  it('the next run re-rolls exactly the changed days, and the figures still equal the rows', async () => {
    clock.set(d('30T10:10'))
    const before = await week()
    expect((await runStatsRollup({ db, clock })).acted).toBe(4) // the 23rd, 24th, 25th and 28th
    expect(await rolledDays()).toHaveLength(7)
    expect(await week()).toEqual(before)
    await expectSameAsRows()
    expect((await runStatsRollup({ db, clock })).acted).toBe(0)
  })

  it('a change of the SLA settings (the basis of 按时签收) makes every day computed from the rows until re-rolled', async () => {
    const before = (await week()).rates.response.numerator
    const c = await loadCommunity(db.manager, communityId)
    // A 6-hour accept window for normal requests: B's 签收 after 300 minutes becomes on time.
    const settings = { ...c.community.settings, sla: { ...(c.community.settings.sla ?? {}), normal: { acceptMs: 6 * 3600_000, resolveMs: 72 * 3600_000 } } }
    await db.query('UPDATE communities SET settings = ? WHERE id = ?', [JSON.stringify(settings), communityId])
    expect(await rolledDays()).toEqual([])
    expect((await week()).rates.response.numerator).toBe(before + 1)
    await expectSameAsRows()
    expect((await runStatsRollup({ db, clock })).acted).toBe(29)
    expect(await rolledDays()).toHaveLength(7)
    expect((await week()).rates.response.numerator).toBe(before + 1)
    await expectSameAsRows()
  })

  it('a month that is over is read from its month rollup, until one of its days changes', async () => {
    clock.set(new Date('2026-12-02T10:10:00+08:00'))
    expect((await runStatsRollup({ db, clock })).acted).toBe(2) // 30 November, 1 December
    const c = await loadCommunity(db.manager, communityId)
    const november = { communityId, from: d('01T00:00'), to: new Date('2026-12-01T00:00:00+08:00'), now: clock.now() }
    const around = { communityId, from: new Date('2026-10-20T00:00:00+08:00'), to: clock.now(), now: clock.now() }
    const monthsRead = async () => (await rolledUpFacts(db.manager, c, around.from, around.to)).plan.months
    expect(await monthsRead()).toEqual(['2026-11'])
    for (const q of [november, around]) expect(await computeStats(db.manager, q)).toEqual(await computeStats(db.manager, { ...q, rollups: false }))

    const before = await computeStats(db.manager, november)
    await db.query("UPDATE requests SET rating = 'unsatisfied' WHERE id = ?", [reqs.A!.id]) // A: 23 November, 满意 before
    expect(await monthsRead()).toEqual([])
    const after = await computeStats(db.manager, november)
    expect(after.ratings.unsatisfied).toBe(before.ratings.unsatisfied + 1)
    for (const q of [november, around]) expect(await computeStats(db.manager, q)).toEqual(await computeStats(db.manager, { ...q, rollups: false }))

    expect((await runStatsRollup({ db, clock })).acted).toBe(1)
    expect(await monthsRead()).toEqual(['2026-11'])
    expect(await computeStats(db.manager, november)).toEqual(after)
    for (const q of [november, around]) expect(await computeStats(db.manager, q)).toEqual(await computeStats(db.manager, { ...q, rollups: false }))
  })
})
