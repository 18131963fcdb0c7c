import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { RequestReporter, ServiceRequest, type Resident } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { answerCallback, parseCallbackAnswer, runCallbacks } from '../../src/jobs/callbacks.js'
import { jobNamed } from '../../src/jobs/registry.js'
import { isBareCallbackReply } from '../../src/requests/callbackAnswer.js'
import { acceptRequest, addCoReporter, resolveRequest } from '../../src/requests/index.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest, resident, staffNamed } from '../helpers/fixtures.js'
import { eventsOf, jobContext, MIN, outboxWith } from './helpers.js'

describe('parseCallbackAnswer', () => {
  it.each([
    ['1', 'satisfied', true], ['2', 'basically_satisfied', true], ['3', 'unsatisfied', true],
    ['１', 'satisfied', true], ['２', 'basically_satisfied', true], ['３', 'unsatisfied', true],
    [' 1 ', 'satisfied', true], ['1。', 'satisfied', true], ['1 满意', 'satisfied', true], ['2基本满意', 'basically_satisfied', true],
    ['3不满意', 'unsatisfied', true], ['3，还没修好', 'unsatisfied', false], ['1️⃣', 'satisfied', true], ['①', 'satisfied', true],
    ['满意', 'satisfied', true], ['满意了', 'satisfied', true], ['挺好', 'satisfied', true], ['很好，谢谢', 'satisfied', true],
    ['非常满意！', 'satisfied', true], ['谢谢已经好了', 'satisfied', true], ['修好了，辛苦了', 'satisfied', true], ['没问题了', 'satisfied', true],
    ['不好意思回复晚了，已经好了', 'satisfied', true],
    ['还行', 'basically_satisfied', true], ['一般', 'basically_satisfied', true], ['凑合吧', 'basically_satisfied', true], ['基本满意', 'basically_satisfied', true],
    ['不满意', 'unsatisfied', true], ['不太满意', 'unsatisfied', true],
    ['还没修好', 'unsatisfied', false], ['没人来', 'unsatisfied', false], ['根本没人来过', 'unsatisfied', false], ['没解决', 'unsatisfied', false],
    ['还是坏的', 'unsatisfied', false], ['灯还是不亮', 'unsatisfied', false], ['又坏了', 'unsatisfied', false], ['还在漏水', 'unsatisfied', false],
    ['1 但是还有点漏', 'satisfied', false],
  ])('%s → %s (solved %s)', (text, rating, solved) => {
    expect(parseCallbackAnswer(text)).toEqual({ rating, solved })
  })

  it.each([
    ['不太满意，拖了好久', 'unsatisfied', 'speed'], ['态度很差', 'unsatisfied', 'attitude'], ['态度不好', 'unsatisfied', 'attitude'],
    ['3 等了好几天才来', 'unsatisfied', 'speed'], ['修是修好了，就是太慢', 'unsatisfied', 'speed'],
  ])('%s → %s, solved, complaint %s', (text, rating, complaint) => {
    expect(parseCallbackAnswer(text)).toEqual({ rating, solved: true, complaint })
  })

  it.each(['', '   ', '你好', '3号楼电梯坏了', '12', '1号楼楼道灯不亮了', '2楼漏水', '修好了吗？', '什么时候来修？', '好的', 'ok',
    '我想反映一下小区门口的垃圾桶已经满了好几天了没人清理，味道很大，麻烦尽快处理一下谢谢'])('%j is not an answer', (text) => {
    expect(parseCallbackAnswer(text)).toBeNull()
  })
})

describe('isBareCallbackReply', () => {
  it.each(['4', '４', '12', '没人来', '还没修好', '还是没人来啊', '没修好呢', '不满意', '还是坏的'])('%s can only be about the sender\'s own request', (text) => {
    expect(isBareCallbackReply(text)).toBe(true)
  })
  it.each(['电梯又坏了', '3号楼电梯坏了', '楼道灯还是不亮', '满意', '挺好', '1234', '', '你好', '没人来修，楼道灯还是不亮，已经三天了'])('%s may be a new report (or a plain rating)', (text) => {
    expect(isBareCallbackReply(text)).toBe(false)
  })
})

describeEachDb('回访 callbacks', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock('2026-11-23T09:00:00+08:00')
  const deps = () => ({ db, clock })
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
  })
  afterAll(() => close())

  const reporterRow = (requestId: number, residentId: number) => db.getRepository(RequestReporter).findOneByOrFail({ requestId, residentId })
  const requestOf = (id: number) => db.getRepository(ServiceRequest).findOneByOrFail({ id })

  /** A request from this resident, accepted and resolved now by 王芳. */
  async function resolvedFor(who: Resident) {
    const r = await fileRequest(db, clock, communityId, { reporterId: who.id, text: '3号楼2单元楼道灯不亮，电话13812345678' })
    const wang = await staffNamed(db, '王芳')
    await inTransaction(db, (em) => acceptRequest(em, clock, { requestId: r.id, staff: wang, channel: 'private' }))
    await inTransaction(db, (em) => resolveRequest(em, clock, { requestId: r.id, staff: wang, channel: 'private', note: '已换灯泡' }))
    return r
  }
  /** Resolved at 10:00, asked at 12:00 (2 h later, outside quiet hours). */
  async function askedFor(who: Resident, day: string) {
    clock.set(`${day}T10:00:00+08:00`)
    const r = await resolvedFor(who)
    clock.set(`${day}T12:00:00+08:00`)
    await runCallbacks(deps())
    expect((await reporterRow(r.id, who.id)).callbackStatus).toBe('asked')
    return r
  }
  const answer = (who: Resident, text: string) => inTransaction(db, (em) => answerCallback(em, clock, { residentId: who.id, text, channel: 'private' }))

  it('asks 2 h after 办结; resolved at 20:30 it waits for 08:00 the next day, and asks once', async () => {
    const li = await resident(db, communityId, '李阿姨')
    clock.set('2026-11-23T20:30:00+08:00')
    const r = await resolvedFor(li)
    const row = await reporterRow(r.id, li.id)
    expect(row.callbackStatus).toBe('pending')
    expect(row.callbackDueAt!.toISOString()).toBe(new Date('2026-11-24T08:00:00+08:00').toISOString())
    for (const t of ['2026-11-23T22:30:00+08:00', '2026-11-24T03:00:00+08:00', '2026-11-24T07:55:00+08:00']) {
      clock.set(t)
      await runCallbacks(deps())
    }
    expect(await outboxWith(db, 'callback:', r.id)).toHaveLength(0)
    clock.set('2026-11-24T08:00:00+08:00')
    await runCallbacks(deps())
    await runCallbacks(deps())
    const asked = await outboxWith(db, 'callback:ask:', r.id)
    expect(asked.map((o) => [o.channel, o.target])).toEqual([['wechat_dm', '李阿姨']])
    expect(asked[0]!.text).toContain(`工单 ${r.no}`)
    expect(asked[0]!.text).toMatch(/1 满意\n2 基本满意\n3 不满意/)
    expect(asked[0]!.text).not.toContain('13812345678')
    const after = await reporterRow(r.id, li.id)
    expect(after.callbackStatus).toBe('asked')
    expect(after.callbackAskedAt!.toISOString()).toBe(clock.now().toISOString())
    expect(await eventsOf(db, r.id, 'callback_asked')).toHaveLength(1)
  })

  it('no answer: one reminder after 24 h (never in quiet hours), then closes as no_answer 24 h later', async () => {
    const wu = await resident(db, communityId, '吴奶奶')
    clock.set('2026-11-25T18:50:00+08:00')
    const r = await resolvedFor(wu)
    clock.set('2026-11-25T20:50:00+08:00')
    await runCallbacks(deps())
    expect((await reporterRow(r.id, wu.id)).callbackStatus).toBe('asked')
    // The run that would have reminded at 20:50 the next day was missed; 21:10 is quiet.
    clock.set('2026-11-26T20:49:00+08:00')
    await runCallbacks(deps())
    clock.set('2026-11-26T21:10:00+08:00')
    await runCallbacks(deps())
    expect(await outboxWith(db, 'callback:remind:', r.id)).toHaveLength(0)
    clock.set('2026-11-27T08:00:00+08:00')
    await runCallbacks(deps())
    await runCallbacks(deps())
    const reminders = await outboxWith(db, 'callback:remind:', r.id)
    expect(reminders.map((o) => o.target)).toEqual(['吴奶奶'])
    expect(reminders[0]!.text).toContain('回访提醒')
    expect((await reporterRow(r.id, wu.id)).callbackStatus).toBe('reminded')

    clock.set('2026-11-28T07:59:00+08:00')
    await runCallbacks(deps())
    expect((await requestOf(r.id)).status).toBe('resolved')
    clock.set('2026-11-28T08:00:00+08:00')
    await runCallbacks(deps())
    const closed = await requestOf(r.id)
    expect(closed.status).toBe('closed')
    expect(closed.rating).toBe('no_answer')
    expect((await reporterRow(r.id, wu.id)).callbackStatus).toBe('no_answer')
    expect(await outboxWith(db, 'callback:', r.id)).toHaveLength(2)
    // A late answer (it may have raced the close) is still recorded on the closed request.
    clock.set('2026-11-28T09:00:00+08:00')
    expect(await answer(wu, '2')).toMatchObject({ outcome: 'recorded', status: 'closed' })
    expect((await requestOf(r.id)).rating).toBe('basically_satisfied')
    expect((await reporterRow(r.id, wu.id)).callbackStatus).toBe('answered')
    // A day later nothing is awaited any more.
    clock.set('2026-11-29T09:00:00+08:00')
    expect(await answer(wu, '1')).toBeNull()
  })

  it('1 and 2 (and words) close the request with that rating', async () => {
    const cases: [string, string, string][] = [['1', 'satisfied', '赵大爷'], ['２', 'basically_satisfied', '钱阿姨'], ['满意了，谢谢', 'satisfied', '孙叔叔'], ['还行吧', 'basically_satisfied', '周大姐']]
    for (const [text, rating, name] of cases) {
      const who = await resident(db, communityId, name)
      const r = await askedFor(who, '2026-11-30')
      const result = await answer(who, text)
      expect(result).toMatchObject({ requestId: r.id, requestNo: r.no, rating, solved: true, outcome: 'closed', status: 'closed' })
      const closed = await requestOf(r.id)
      expect([closed.status, closed.rating]).toEqual(['closed', rating])
      expect((await reporterRow(r.id, who.id)).callbackStatus).toBe('answered')
      expect((await eventsOf(db, r.id, 'callback_answered'))[0]!.data).toMatchObject({ rating })
    }
  })

  it('3, or "not solved" in words, reopens to the same assignee with the words and tells the 书记', async () => {
    // "3" says 不满意 without saying why: handled again, like "not solved" (its event keeps solved unknown).
    for (const [text, solved, name] of [['3', null, '郑先生'], ['还没修好，灯还是不亮', false, '冯女士'], ['没人来', false, '陈伯']] as const) {
      const who = await resident(db, communityId, name)
      const r = await askedFor(who, '2026-12-01')
      const result = await answer(who, text)
      expect(result).toMatchObject({ requestId: r.id, rating: 'unsatisfied', solved: false, outcome: 'reopened', status: 'reopened' })
      const reopened = await requestOf(r.id)
      expect(reopened.status).toBe('reopened')
      expect(reopened.reopenCount).toBe(1)
      expect(reopened.assigneeStaffId).toBe((await staffNamed(db, '王芳')).id)
      const out = (await outboxWith(db, 'evt', r.id)).filter((o) => o.text.includes('重办'))
      expect(out.map((o) => o.target).sort()).toEqual(['王芳', '赵书记'].sort())
      if (text !== '3') expect(out.find((o) => o.target === '王芳')!.text).toContain(text)
      expect((await eventsOf(db, r.id, 'reopen'))[0]!.data).toMatchObject({ solved })
    }
  })

  it('ignores non-answers and residents with nothing awaited', async () => {
    const who = await resident(db, communityId, '何先生')
    const r = await askedFor(who, '2026-12-02')
    expect(await answer(who, '3号楼电梯又坏了，谁来管管')).toBeNull()
    expect((await reporterRow(r.id, who.id)).callbackStatus).toBe('asked')
    const nobody = await resident(db, communityId, '路人甲')
    expect(await answer(nobody, '1')).toBeNull()
  })

  it('a co-reporter who says it is still broken reopens a request another reporter closed', async () => {
    const a = await resident(db, communityId, '甲先生'), b = await resident(db, communityId, '乙女士')
    clock.set('2026-12-03T09:00:00+08:00')
    const r = await fileRequest(db, clock, communityId, { reporterId: a.id })
    await inTransaction(db, (em) => addCoReporter(em, clock, { requestId: r.id, residentId: b.id, source: 'group', text: '我家也是', channel: 'group', causeKey: 'co:1' }))
    const wang = await staffNamed(db, '王芳')
    await inTransaction(db, (em) => resolveRequest(em, clock, { requestId: r.id, staff: wang, channel: 'private' }))
    clock.set('2026-12-03T11:00:00+08:00')
    await runCallbacks(deps())
    expect((await outboxWith(db, 'callback:ask:', r.id)).map((o) => o.target).sort()).toEqual(['乙女士', '甲先生'].sort())
    expect((await answer(a, '1'))!.outcome).toBe('closed')
    const second = await answer(b, '还是坏的')
    expect(second).toMatchObject({ outcome: 'reopened', status: 'reopened', solved: false })
  })

  it('mini-program residents are asked by subscribe message when allowed, else in the mini-program; both can end as no_answer', async () => {
    const sub = await resident(db, communityId, 'x', { wechatName: null, name: '小程序甲', openid: 'openid-sub', subscribeAllowed: true })
    const quiet = await resident(db, communityId, 'y', { wechatName: null, name: '小程序乙', openid: 'openid-nosub', subscribeAllowed: false })
    clock.set('2026-12-04T09:00:00+08:00')
    const r1 = await resolvedFor(sub)
    const r2 = await resolvedFor(quiet)
    clock.set('2026-12-04T11:00:00+08:00')
    await runCallbacks(deps())
    const mp = await outboxWith(db, 'callback:ask:', r1.id)
    expect(mp.map((o) => [o.channel, o.target])).toEqual([['mp_subscribe', 'openid-sub']])
    expect(mp[0]!.payload).toMatchObject({ template: 'callback', requestId: r1.id })
    expect(mp[0]!.text).toContain('小程序')
    expect(await outboxWith(db, 'callback:', r2.id)).toHaveLength(0)
    expect((await reporterRow(r2.id, quiet.id)).callbackStatus).toBe('asked')
    clock.set('2026-12-05T11:00:00+08:00')
    await runCallbacks(deps())
    clock.set('2026-12-06T11:00:00+08:00')
    await runCallbacks(deps())
    expect((await requestOf(r1.id)).rating).toBe('no_answer')
    expect((await requestOf(r2.id)).rating).toBe('no_answer')
  })

  it('a report made in the mini-program is asked there even when the resident is also known on WeChat', async () => {
    const both = await resident(db, communityId, '双渠道居民', { openid: 'openid-both', subscribeAllowed: true })
    const wechatOnly = await resident(db, communityId, '双渠道居民乙', { openid: 'openid-both-2', subscribeAllowed: false })
    clock.set('2026-12-05T09:00:00+08:00')
    const viaMp = await resolvedFor(both)
    const viaMp2 = await resolvedFor(wechatOnly)
    await db.getRepository(RequestReporter).update({ requestId: viaMp.id }, { source: 'miniprogram' })
    await db.getRepository(RequestReporter).update({ requestId: viaMp2.id }, { source: 'miniprogram' })
    clock.set('2026-12-05T11:00:00+08:00')
    await runCallbacks(deps())
    const asked = await outboxWith(db, 'callback:ask:', viaMp.id)
    expect(asked.map((o) => [o.channel, o.target])).toEqual([['mp_subscribe', 'openid-both']])
    expect(asked[0]!.text).toContain('小程序')
    // No subscribe permission: nothing is sent, the question waits in the mini-program.
    expect(await outboxWith(db, 'callback:', viaMp2.id)).toHaveLength(0)
    expect((await reporterRow(viaMp2.id, wechatOnly.id)).callbackStatus).toBe('asked')
  })

  it('the registry job fired twice for the same time, or by two instances, asks once', async () => {
    const who = await resident(db, communityId, '林阿婆')
    clock.set('2026-12-07T09:00:00+08:00')
    const r = await resolvedFor(who)
    clock.set('2026-12-07T11:00:00+08:00')
    const job = jobNamed('callbacks')!
    const when = clock.now()
    const [a, b] = await Promise.all([job.run(jobContext(db, clock), when), job.run(jobContext(db, clock), when)])
    expect([a.skipped ?? false, b.skipped ?? false].sort()).toEqual([false, true])
    const again = await job.run(jobContext(db, clock), when)
    expect(again).toMatchObject({ acted: 0, skipped: true })
    clock.advance(5 * MIN)
    await job.run(jobContext(db, clock), clock.now())
    expect(await outboxWith(db, 'callback:ask:', r.id)).toHaveLength(1)
  })
})
