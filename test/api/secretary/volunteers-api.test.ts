import { afterAll, beforeAll, expect, it } from 'vitest'
import { importCommunity, parseCommunityFile } from '../../../src/community/import.js'
import { issueLoginLink } from '../../../src/console/login.js'
import { Volunteer } from '../../../src/db/entities/index.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { volunteerFigures } from '../../../src/volunteers/figures.js'
import { appendEntry } from '../../../src/volunteers/ledger.js'
import { describeEachDb, TEST_KEY } from '../../helpers/db.js'
import { volunteersYaml } from '../../volunteers/fixture.js'
import { staffNamed } from '../../helpers/fixtures.js'
import { startHarness, type Harness } from './harness.js'

describeEachDb('secretary API: volunteers and points', (kind) => {
  let h: Harness, token: string
  beforeAll(async () => {
    h = await startHarness(kind)
    await importCommunity(h.db, parseCommunityFile(volunteersYaml()), { encryptionKey: TEST_KEY, clock: h.clock })
    token = await h.staffToken('赵书记')
  })
  afterAll(() => h.close())
  const call = async (method: string, path: string, json?: unknown, t = token) => {
    const res = await h.call(path, { method, token: t, json })
    return { status: res.status, body: await res.json() as any }
  }

  it('lists volunteers with grids and balances; the figures are the digest\'s; grid leaders are refused', async () => {
    const he = await h.db.getRepository(Volunteer).findOneByOrFail({ name: '何军' })
    await inTransaction(h.db, (em) => appendEntry(em, h.clock, { communityId: h.communityId, holderType: 'volunteer', holderId: he.id, amount: 16, action: 'volunteering', hours: 1.5, dedupeKey: 'api-test-1' }))
    const list = await call('GET', '/api/admin/volunteers')
    expect(list.status).toBe(200)
    expect(list.body.items.map((v: any) => [v.name, v.grids, v.bound, v.balance])).toEqual([['何军', ['第一网格'], false, 16], ['李晓', ['第一网格', '第二网格'], false, 0], ['钱芳', ['第二网格'], false, 0]])
    expect(JSON.stringify(list.body)).not.toMatch(/13700000001|phoneHash/)
    const f = await call('GET', '/api/volunteers/figures?from=2026-11-23&to=2026-11-23')
    expect(f.status).toBe(200)
    const same = await volunteerFigures(h.db.manager, { communityId: h.communityId, from: new Date(f.body.from), to: new Date(f.body.to) })
    expect(f.body).toEqual({ from: f.body.from, to: f.body.to, ...JSON.parse(JSON.stringify(same)) })
    expect(f.body).toMatchObject({ done: 1, hours: 1.5, earned: { volunteering: 16 }, ranking: [{ name: '何军', points: 16 }] })
    expect((await call('GET', '/api/admin/volunteers', undefined, await h.staffToken('王芳'))).status).toBe(403)
  })

  it('issues a 认证 code and records redemptions, never below zero, once per request key', async () => {
    const he = await h.db.getRepository(Volunteer).findOneByOrFail({ name: '何军' })
    const code = await call('POST', `/api/admin/volunteers/${he.id}/bind-code`)
    expect(code.status).toBe(201)
    expect(code.body.code).toMatch(/^\d{6}$/)
    const too = await call('POST', `/api/admin/volunteers/${he.id}/redemptions`, { points: 17, note: '电饭煲', requestKey: 'key-0001' })
    expect(too).toMatchObject({ status: 409, body: { error: { code: 'points_insufficient', message: '何军 只有 16 积分，不够兑换 17 分。' } } })
    const ok = await call('POST', `/api/admin/volunteers/${he.id}/redemptions`, { points: 10, note: '洗衣液', requestKey: 'key-0002' })
    expect(ok).toMatchObject({ status: 201, body: { balance: 6, replay: false } })
    const again = await call('POST', `/api/admin/volunteers/${he.id}/redemptions`, { points: 10, note: '洗衣液', requestKey: 'key-0002' })
    expect(again).toMatchObject({ status: 200, body: { balance: 6, replay: true } })
    expect((await call('POST', `/api/admin/volunteers/${he.id}/redemptions`, { points: -5, note: 'x', requestKey: 'key-0003' })).status).toBe(400)
  })

  it('the console page shows the same figures, the ranking and the balances, to the 书记 only', async () => {
    const login = async (wechat: string) => {
      const { token: link } = await inTransaction(h.db, async (em) => issueLoginLink(em, h.clock, { staffId: (await staffNamed(h.db, wechat)).id }))
      const res = await fetch(`${h.base}/console/login/${link}`, { method: 'POST', redirect: 'manual' })
      return res.headers.getSetCookie().find((c) => c.startsWith('jiesu_console='))!.split(';')[0]!
    }
    const page = await fetch(`${h.base}/console/volunteers?from=2026-11-23&to=2026-11-23`, { headers: { cookie: await login('赵书记') } })
    expect(page.status).toBe(200)
    const body = await page.text()
    const f = await volunteerFigures(h.db.manager, { communityId: h.communityId, from: new Date('2026-11-22T16:00:00Z'), to: new Date('2026-11-23T16:00:00Z') })
    expect(body).toContain(`data-figure="hours" data-value="${f.hours}"`)
    expect(body).toContain('<tr data-volunteer="何军"><td>1</td><td>何军</td><td class="num">16</td><td class="num">1.5</td><td class="num">6</td></tr>')
    expect(body).toMatch(/<tr data-volunteer="李晓"><td>李晓<\/td><td>第一网格、第二网格<\/td>/)
    // each active volunteer's 认证 state, with the action that issues them a one-time code (shown once by console.js)
    const li = await h.db.getRepository(Volunteer).findOneByOrFail({ communityId: h.communityId, name: '李晓' })
    expect(body).toContain(`<td>${li.wechatContactId ? '已认证' : '未认证'}<form class="inline" data-api="/api/admin/volunteers/${li.id}/bind-code" data-show-code data-tz="Asia/Shanghai"`)
    const leader = await fetch(`${h.base}/console/volunteers`, { headers: { cookie: await login('王芳') }, redirect: 'manual' })
    expect(leader.status).not.toBe(200)
  })
})
