import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { Digest, OutboxMessage, type ServiceRequest } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { renderDigestHtml, runWeeklyDigest, type DigestFigures } from '../../src/jobs/digest.js'
import { jobNamed } from '../../src/jobs/registry.js'
import { acceptRequest, cancelRequest, closeUnanswered, mergeRequest, resolveRequest, SYSTEM } from '../../src/requests/index.js'
import { computeStats } from '../../src/stats/rates.js'
import { answerAskedCallback } from '../helpers/callbacks.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest, resident, staffNamed } from '../helpers/fixtures.js'
import { reply, startFakeOpenAI } from '../helpers/fakeOpenAI.js'
import { jobContext } from './helpers.js'

/** Local Asia/Shanghai time in late November 2026: d('23T09:00') is Monday 23 November 09:00. */
const d = (s: string) => new Date(`2026-11-${s}:00+08:00`)

describeEachDb('weekly digest', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(d('22T23:50'))
  const reqs: Record<string, ServiceRequest> = {}
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
    await seedWeek()
  })
  afterAll(() => close())

  /**
   * The week Mon 23 – Sun 29 November, in time order. Hand-computed at Mon 30 08:00:
   *   received A B C D E F G H = 8 (K cancelled, M merged, J the Sunday before, I the Monday after: not counted)
   *   first 签收 in time: A (60 min), C (30), D (60), E (10 of 15), G (60) = 5; B late (300 > 240); F, H not accepted
   *   resolved/closed: A B D E = 4; closed A B D = 3; open C F G H = 4; reopened C = 1; urgent E = 1
   *   rated: A 满意, B 基本满意, C 不满意 → 2/3; D no_answer = 1 (not in the denominator)
   *   median accept (10 30 60 60 60 300) = 60 min; median resolve (A 1440, B 2880, D 1440, E 90) = 1440 min
   *   breaches: B (late 签收), C (reopened, both new deadlines passed), F (not accepted by Fri 14:00) = 3; accept 3, resolve 1
   *   hot spot: building 3 repair A B C G H = 5; building 5 environment D E = 2 (not one)
   *   grids: 第一网格 A B C G H = 5 (on time A C G = 3, resolved A B = 2) ranked 1; 第二网格 D E = 2; 第三网格 F = 1 (not ranked)
   */
  async function seedWeek() {
    const [wang, liu] = [await staffNamed(db, '王芳'), await staffNamed(db, '刘强')]
    const people = Object.fromEntries(await Promise.all(['A', 'B', 'C', 'D', 'E'].map(async (k) => [k, await resident(db, communityId, `居民${k}`)] as const)))
    const at = (s: string) => clock.set(d(s))
    const file = async (k: string, when: string, o: Parameters<typeof fileRequest>[3] = {}) => {
      at(when)
      reqs[k] = await fileRequest(db, clock, communityId, { reporterId: people[k]?.id ?? null, text: `${k}：楼道灯坏了`, ...o })
    }
    const accept = (k: string, when: string, staff = wang) => { at(when); return inTransaction(db, (em) => acceptRequest(em, clock, { requestId: reqs[k]!.id, staff, channel: 'private' })) }
    const resolve = (k: string, when: string, staff = wang) => { at(when); return inTransaction(db, (em) => resolveRequest(em, clock, { requestId: reqs[k]!.id, staff, channel: 'private' })) }
    const rate = (k: string, when: string, text: string) => { at(when); return inTransaction(db, (em) => answerAskedCallback(em, clock, { residentId: people[k]!.id, text })) }

    await file('J', '22T23:50')
    await file('A', '23T09:00')
    await accept('A', '23T10:00')
    await file('B', '23T10:00')
    await accept('B', '23T15:00')
    await resolve('A', '24T09:00')
    await file('C', '24T09:00')
    await accept('C', '24T09:30')
    expect((await rate('A', '24T11:00', '1'))!.outcome).toBe('closed')
    await file('K', '24T11:00', { building: '4', category: 'dispute', text: 'K：邻居装修太吵' })
    await resolve('C', '24T12:00')
    expect((await rate('C', '24T14:00', '3'))!.outcome).toBe('reopened')
    at('24T16:00')
    await inTransaction(db, (em) => cancelRequest(em, clock, { requestId: reqs.K!.id, actor: SYSTEM, reason: '居民撤回', channel: 'system' }))
    await file('M', '25T09:00')
    await inTransaction(db, (em) => mergeRequest(em, clock, { requestId: reqs.M!.id, intoId: reqs.B!.id, actor: SYSTEM, channel: 'system' }))
    await resolve('B', '25T10:00')
    expect((await rate('B', '25T12:00', '2'))!.outcome).toBe('closed')
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
  }

  it('computes the week by hand-checked figures, stores it and DMs the 书记 at Monday 08:00', async () => {
    clock.set(d('30T08:00'))
    const summary = await jobNamed('weekly_digest')!.run(jobContext(db, clock), clock.now())
    expect(summary.acted).toBe(1)
    const digest = await db.getRepository(Digest).findOneByOrFail({ communityId })
    expect(digest.periodStart.toISOString()).toBe(d('23T00:00').toISOString())
    expect(digest.periodEnd.toISOString()).toBe(d('30T00:00').toISOString())
    const f = digest.figures as unknown as DigestFigures
    expect(f.totals).toEqual({ received: 8, open: 4, resolved: 4, closed: 3, reopened: 1, urgent: 1, slaBreaches: 3, merged: 1, cancelled: 1 })
    expect(f.rates.response).toEqual({ numerator: 5, denominator: 8, rate: 5 / 8 })
    expect(f.rates.resolution).toEqual({ numerator: 4, denominator: 8, rate: 0.5 })
    expect(f.rates.satisfaction).toEqual({ numerator: 2, denominator: 3, rate: 2 / 3 })
    expect(f.ratings).toEqual({ satisfied: 1, basically_satisfied: 1, unsatisfied: 1, no_answer: 1 })
    expect(f.medians).toEqual({ acceptMinutes: 60, resolveMinutes: 1440 })
    expect(f.slaBreaches).toEqual({ requests: 3, accept: 3, resolve: 1 })
    expect(f.byCategory.map((c) => [c.category, c.count])).toEqual([['repair', 6], ['environment', 2]])
    expect(f.hotSpots).toEqual([{ building: '3', category: 'repair', categoryName: '维修报修', count: 5, nos: ['A', 'B', 'C', 'G', 'H'].map((k) => reqs[k]!.no) }])
    expect(f.byGrid.map((g) => [g.name, g.received, g.acceptedOnTime, g.resolved, g.rank])).toEqual([
      ['第一网格', 5, 3, 2, 1], ['第二网格', 2, 2, 2, null], ['第三网格', 1, 0, 0, null],
    ])
    expect(f.urgentCases.map((u) => u.no)).toEqual([reqs.E!.no])
    expect(f.oldestOpen.map((o) => o.no)).toEqual(['J', 'C', 'F', 'G', 'H'].map((k) => reqs[k]!.no))
    expect(f.colors).toEqual({ red: 2, yellow: 0, green: 6 })

    const dm = await db.getRepository(OutboxMessage).find({ where: { target: '赵书记' } })
    const digestDm = dm.filter((o) => o.dedupeKey.startsWith('digest:'))
    expect(digestDm).toHaveLength(1)
    const text = digestDm[0]!.text
    // The DM is the stored text plus a link to it in the console (PUBLIC_URL, here its default).
    expect(text).toBe(`${digest.text}\n\n在工作台查看完整周报：http://localhost:3000/console/digests/${digest.id}`)
    expect(text.length).toBeLessThanOrEqual(1500)
    expect(text.split('\n')[0]).toBe('【社区周报】幸福里社区 11月23日—11月29日')
    expect(text).toContain('收件 8 件，已办结 4 件，仍在办理 4 件。')
    expect(text).toContain('响应率 63%（5/8 按时签收）')
    expect(text).toContain('解决率 50%（4/8）')
    expect(text).toContain('满意率 67%（2/3 评价，回访未回复 1 件另计）')
    expect(text).toContain('超时 3 件｜重办 1 件｜紧急 1 件')
    expect(text).toContain('热点：3号楼维修报修 5 次')
    expect(text.indexOf('三率')).toBeLessThan(text.indexOf('【分类】'))
    expect(digest.summary).toBeNull()
  })

  it('week boundaries are local: Sunday 23:30 belongs to the week, Monday 00:10 to the next', async () => {
    const stats = await computeStats(db.manager, { communityId, from: d('30T00:00'), to: new Date(d('30T00:00').getTime() + 7 * 86_400_000), now: d('30T08:00') })
    expect(stats.totals.received).toBe(1) // I
    expect(stats.urgentCases).toEqual([])
    const week = await computeStats(db.manager, { communityId, from: d('23T00:00'), to: d('30T00:00'), now: d('30T08:00') })
    expect(week.totals.received).toBe(8)
    expect(week.hotSpots[0]!.nos).toContain(reqs.H!.no)
    expect(week.hotSpots[0]!.nos).not.toContain(reqs.I!.no)
  })

  it('running it again, later the same week or in two instances, stores and sends nothing twice', async () => {
    clock.set(d('30T09:00'))
    const again = await runWeeklyDigest({ db, clock }, clock.now())
    expect(again.acted).toBe(0)
    const job = jobNamed('weekly_digest')!
    const [x, y] = await Promise.all([job.run(jobContext(db, clock), d('30T08:00')), job.run(jobContext(db, clock), d('30T08:00'))])
    expect(x.acted + y.acted).toBe(0)
    expect(await db.getRepository(Digest).countBy({ communityId })).toBe(1)
    const dms = (await db.getRepository(OutboxMessage).find()).filter((o) => o.dedupeKey.startsWith('digest:'))
    expect(dms).toHaveLength(1)

    // Without the job lock (two instances on another week): the unique digest row and the dedupe key decide.
    clock.set(d('09T08:00'))
    const raced = await Promise.all([runWeeklyDigest({ db, clock }, clock.now()), runWeeklyDigest({ db, clock }, clock.now())])
    expect(raced[0].acted + raced[1].acted).toBe(1)
    expect(await db.getRepository(Digest).countBy({ communityId, periodStart: d('02T00:00') })).toBe(1)
    expect((await db.getRepository(OutboxMessage).find()).filter((o) => o.dedupeKey.startsWith(`digest:${communityId}:${d('02T00:00').getTime()}`))).toHaveLength(1)
  })

  it('with an LLM configured, prepends a summary written from the figures only; on failure sends without one', async () => {
    const fake = await startFakeOpenAI()
    try {
      const config = { OPENAI_API_KEY: 'test', OPENAI_BASE_URL: fake.baseURL, OPENAI_MODEL: 'fake', OPENAI_TIMEOUT_MS: 3000, OPENAI_MAX_RETRIES: 0 }
      fake.enqueue(reply.chat('上周共收到1件诉求。目前仍在办理。请关注久未办结的工单。'))
      clock.set(d('23T08:00')) // the week 16–22 November: only J
      expect((await runWeeklyDigest({ db, clock, config }, clock.now())).acted).toBe(1)
      const sent = JSON.parse(String(fake.messagesOf(0)[1]!.content))
      expect(sent).toMatchObject({ 收件: 1, 办结: 0, 仍在办理: 1 })
      expect(JSON.stringify(fake.messagesOf(0))).not.toContain('楼道灯') // no resident text reaches the model
      const withSummary = await db.getRepository(Digest).findOneByOrFail({ communityId, periodStart: d('16T00:00') })
      expect(withSummary.summary).toBe('上周共收到1件诉求。目前仍在办理。请关注久未办结的工单。')
      expect(withSummary.text.split('\n')[1]).toBe(`摘要：${withSummary.summary}`)

      fake.enqueue(reply.serverError())
      clock.set(d('16T08:00')) // the week 9–15 November: nothing, and the model fails
      expect((await runWeeklyDigest({ db, clock, config }, clock.now())).acted).toBe(1)
      const without = await db.getRepository(Digest).findOneByOrFail({ communityId, periodStart: d('09T00:00') })
      expect(without.summary).toBeNull()
      expect(without.text).toContain('本周没有收到新的诉求。')
      expect(without.text).not.toContain('摘要')
    } finally {
      await fake.close()
    }
  })

  it('renders a self-contained HTML page with SVG charts', async () => {
    const digest = await db.getRepository(Digest).findOneByOrFail({ communityId, periodStart: d('23T00:00') })
    const html = renderDigestHtml(digest)
    expect(html).toMatch(/^<!doctype html>/)
    expect(html).toContain('幸福里社区周报 11月23日—11月29日')
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(4)
    expect(html).not.toMatch(/\b(src|href)=|<script|@import|url\(/)
    expect(html).toContain('63% (5/8)')
    const evil = renderDigestHtml({ ...digest, summary: '<script>alert(1)</script>' })
    expect(evil).not.toContain('<script>')
    expect(evil).toContain('&lt;script&gt;')
  })
})
