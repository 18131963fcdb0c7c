import { afterAll, beforeAll, expect, it } from 'vitest'
import { importCommunity, parseCommunityFile } from '../../../src/community/import.js'
import { Community, Digest, RequestEvent, ServiceRequest } from '../../../src/db/entities/index.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { digestFor } from '../../../src/jobs/digest.js'
import { encryptPhone, hashPhone } from '../../../src/people/phone.js'
import { acceptRequest, cancelRequest, rateRequest, resolveRequest } from '../../../src/requests/index.js'
import { describeEachDb, TEST_KEY } from '../../helpers/db.js'
import { fileRequest, resident, staffNamed, T0 } from '../../helpers/fixtures.js'
import { OTHER_COMMUNITY_YAML, startHarness, type Harness } from './harness.js'

const HOUR = 3600_000

describeEachDb('secretary API', (kind) => {
  let h: Harness
  let secretary: string, leader: string, residentTok: string, otherSecretary: string
  const ids: Record<string, number> = {}

  beforeAll(async () => {
    h = await startHarness(kind)
    const { db, clock, communityId } = h
    await importCommunity(db, parseCommunityFile(OTHER_COMMUNITY_YAML), { encryptionKey: TEST_KEY })
    const li = await resident(db, communityId, '李阿姨', {
      phoneEncrypted: encryptPhone('13911112222', TEST_KEY), phoneMasked: '139****2222', phoneHash: hashPhone('13911112222', TEST_KEY), openid: 'oLiAyi-openid',
    })

    // Two days before the period: must not be counted.
    clock.set(new Date(new Date(T0).getTime() - 48 * HOUR))
    ids.before = (await fileRequest(db, clock, communityId, { building: '3', reporterId: li.id })).id
    // The period's requests, all filed at T0 (2026-11-23 09:00 +08:00).
    clock.set(new Date(T0))
    const file = async (o: Parameters<typeof fileRequest>[3]) => (await fileRequest(db, clock, communityId, { reporterId: li.id, ...o })).id
    ids.r1 = await file({ building: '3', text: '3号楼楼道灯坏了，联系我13911112222' })
    ids.r2 = await file({ building: '5', text: '5号楼门禁坏了, 进不去 "很急"' })
    ids.r3 = await file({ building: '8', text: '8号楼水管漏水' })
    ids.r4 = await file({ building: '3', category: 'dispute', text: '楼上装修噪音太大' })
    ids.r5 = await file({ building: '4', text: '=HYPERLINK("x") 4号楼路灯' })
    const [wang, liu, chen] = await Promise.all(['王芳', '刘强', '陈明'].map((n) => staffNamed(db, n)))
    const at = (hours: number) => clock.set(new Date(new Date(T0).getTime() + hours * HOUR))
    const tx = <T>(fn: Parameters<typeof inTransaction<T>>[1]) => inTransaction(db, fn)
    await tx((em) => cancelRequest(em, clock, { requestId: ids.r5!, actor: { type: 'resident', id: li.id }, reason: '已自行解决', channel: 'private' }))
    at(1); await tx((em) => acceptRequest(em, clock, { requestId: ids.r1!, staff: wang, channel: 'private' }))
    at(2); await tx((em) => acceptRequest(em, clock, { requestId: ids.r4!, staff: chen, channel: 'private' }))
    at(3); await tx((em) => resolveRequest(em, clock, { requestId: ids.r4!, staff: chen, channel: 'private', note: '已调解' }))
    at(5); await tx((em) => resolveRequest(em, clock, { requestId: ids.r1!, staff: wang, channel: 'private', note: '已换灯泡' }))
    at(6); await tx((em) => acceptRequest(em, clock, { requestId: ids.r2!, staff: liu, channel: 'private' }))
    at(7)
    await tx((em) => rateRequest(em, clock, { requestId: ids.r1!, residentId: li.id, rating: 'satisfied', channel: 'private' }))
    await tx((em) => rateRequest(em, clock, { requestId: ids.r4!, residentId: li.id, rating: 'basically_satisfied', channel: 'private' }))
    at(30); await tx((em) => resolveRequest(em, clock, { requestId: ids.r2!, staff: liu, channel: 'private', note: '已修好' }))
    await tx((em) => rateRequest(em, clock, { requestId: ids.r2!, residentId: li.id, rating: 'unsatisfied', solved: false, channel: 'private' }))
    at(31)
    // Tokens last JWT_TTL on the virtual clock: sign them at the time the tests run.
    secretary = await h.staffToken('赵书记')
    leader = await h.staffToken('王芳')
    otherSecretary = await h.staffToken('钱书记')
    residentTok = await h.residentToken(li.id)
  })
  afterAll(() => h.close())

  const json = async (res: Response) => ({ status: res.status, body: await res.json() as any })

  it('every 书记 endpoint refuses the anonymous (401), residents and grid leaders (403)', async () => {
    const endpoints: [string, string, unknown?][] = [
      ['GET', '/api/dashboard'], ['GET', '/api/digests'], ['GET', '/api/digests/1'], ['GET', '/digests/1'], ['GET', '/api/triage'],
      ['POST', '/api/triage/1', {}], ['GET', '/api/requests.csv'], ['GET', '/api/admin/grids'], ['POST', '/api/admin/grids', {}],
      ['PATCH', '/api/admin/grids/1', {}], ['POST', '/api/admin/grids/1/deactivate', {}], ['GET', '/api/admin/buildings'], ['POST', '/api/admin/buildings', {}],
      ['PATCH', '/api/admin/buildings/1', {}], ['GET', '/api/admin/staff'], ['POST', '/api/admin/staff', {}], ['PATCH', '/api/admin/staff/1', {}],
      ['POST', '/api/admin/staff/1/deactivate', {}], ['GET', '/api/admin/rooms'], ['POST', '/api/admin/rooms', {}], ['PATCH', '/api/admin/rooms/1', {}],
      ['DELETE', '/api/admin/rooms/1'], ['POST', '/api/admin/import', { yaml: 'x' }],
    ]
    for (const [method, path, body] of endpoints) {
      for (const [token, status] of [[undefined, 401], [residentTok, 403], [leader, 403]] as const) {
        const res = await h.call(path, { method, token, json: body })
        expect(res.status, `${method} ${path} as ${token ? 'user' : 'anonymous'}`).toBe(status)
        const b = await res.json() as any
        expect(typeof b.error.code).toBe('string')
      }
    }
    // Nothing was changed by the refused writes.
    expect((await staffNamed(h.db, '王芳')).active).toBe(true)
  })

  it('the dashboard shows the hand-computed 三率, counts and medians for the period', async () => {
    const { status, body } = await json(await h.call('/api/dashboard?from=2026-11-23&to=2026-11-24', { token: secretary }))
    expect(status).toBe(200)
    expect(body.period).toMatchObject({ from: '2026-11-22T16:00:00.000Z', to: '2026-11-24T16:00:00.000Z' })
    // r1–r4 received (r5 cancelled, the earlier one outside the period).
    expect(body.totals).toMatchObject({ received: 4, cancelled: 1, merged: 0, open: 2, resolved: 2, closed: 2, reopened: 1 })
    // 响应率: accepted within 4h: r1 (1h), r4 (2h); r2 was accepted late (6h) and reopened, r3 never → 2/4.
    expect(body.rates.response).toEqual({ numerator: 2, denominator: 4, rate: 0.5 })
    // 解决率: r1 and r4 closed; r2 reopened, r3 open → 2/4.
    expect(body.rates.resolution).toEqual({ numerator: 2, denominator: 4, rate: 0.5 })
    // 满意率: 满意 + 基本满意 of the three rated → 2/3.
    expect(body.rates.satisfaction.numerator).toBe(2)
    expect(body.rates.satisfaction.denominator).toBe(3)
    expect(body.ratings).toMatchObject({ satisfied: 1, basically_satisfied: 1, unsatisfied: 1 })
    // Medians: first 签收 after dispatch 60 (r1), 120 (r4), 360 (r2, before its reopen) → 120; 办结 of the resolved 300 (r1), 180 (r4) → 240.
    expect(body.medians).toEqual({ acceptMinutes: 120, resolveMinutes: 240 })
    const cat = Object.fromEntries(body.byCategory.map((c: any) => [c.category, c.count]))
    expect(cat.repair).toBe(3)
    expect(cat.dispute).toBe(1)
    // The 三率 by category too. repair = r1 (on time, closed, 满意), r2 (late, reopened, 不满意), r3 (untouched).
    const byCat = Object.fromEntries(body.byCategory.map((c: any) => [c.category, c]))
    expect(byCat.repair).toMatchObject({ count: 3, responseRate: 1 / 3, resolutionRate: 1 / 3, satisfactionRate: 0.5 })
    expect(byCat.dispute).toMatchObject({ count: 1, responseRate: 1, resolutionRate: 1, satisfactionRate: 1 })
    const grid = Object.fromEntries(body.byGrid.map((g: any) => [g.name, g]))
    expect(grid['第一网格']).toMatchObject({ received: 2, responseRate: 1, resolutionRate: 1, satisfactionRate: 1 })
    expect(grid['第二网格']).toMatchObject({ received: 1, responseRate: 0, resolutionRate: 0, satisfactionRate: 0 })
    expect(grid['第三网格']).toMatchObject({ received: 1, responseRate: 0, resolutionRate: 0, satisfactionRate: null })
    expect(JSON.stringify(body)).not.toMatch(/1[3-9]\d{9}|李阿姨|openid/)
  })

  it('the dashboard rejects bad periods with 400, never 500', async () => {
    for (const q of ['from=yesterday', 'from=2026-11-24&to=2026-11-01', 'from=2020-01-01&to=2026-11-01', 'to=2026-02-30', 'from=2026-11-01&from=2026-11-02']) {
      const res = await h.call(`/api/dashboard?${q}`, { token: secretary })
      expect(res.status, q).toBe(400)
    }
  })

  it('digests: listed and served as JSON and HTML (bearer or ?token=), only within the 书记\'s community', async () => {
    const community = await h.db.getRepository(Community).findOneByOrFail({ id: h.communityId })
    const id = await digestFor({ db: h.db, clock: h.clock, summarize: null }, community, new Date('2026-11-30T01:00:00Z'))
    expect(id).not.toBeNull()
    const list = await json(await h.call('/api/digests', { token: secretary }))
    expect(list.status).toBe(200)
    expect(list.body.items.map((d: any) => d.id)).toEqual([id])
    expect(list.body.total).toBe(1)
    const one = await json(await h.call(`/api/digests/${id}`, { token: secretary }))
    expect(one.body.figures.totals.received).toBe(4)
    expect(one.body.text).toContain('周报')
    const html = await h.call(`/digests/${id}?token=${encodeURIComponent(secretary)}`)
    expect(html.status).toBe(200)
    expect(html.headers.get('content-type')).toMatch(/^text\/html/)
    expect(html.headers.get('cache-control')).toContain('no-store')
    expect(await html.text()).toMatch(/<html[\s\S]*幸福里社区/)
    expect((await h.call(`/digests/${id}`, { token: secretary })).status).toBe(200)
    expect((await h.call(`/digests/${id}?token=not-a-token`)).status).toBe(401)
    expect((await h.call(`/digests/${id}?token=${encodeURIComponent(leader)}`)).status).toBe(403)
    // Another community's 书记 sees none of it.
    expect((await json(await h.call('/api/digests', { token: otherSecretary }))).body.items).toEqual([])
    expect((await h.call(`/api/digests/${id}`, { token: otherSecretary })).status).toBe(404)
    expect((await h.call(`/digests/${id}?token=${encodeURIComponent(otherSecretary)}`)).status).toBe(404)
    expect((await h.call('/api/digests/999999', { token: secretary })).status).toBe(404)
    expect((await h.call('/api/digests/abc', { token: secretary })).status).toBe(400)
  })

  it('triage: lists requests needing it; confirming or changing the category clears it and records an event', async () => {
    const repo = h.db.getRepository(ServiceRequest)
    await repo.update({ id: ids.r3! }, { needsTriage: true })
    await repo.update({ id: ids.r2! }, { needsTriage: true })
    await repo.update({ id: ids.r5! }, { needsTriage: true }) // cancelled: not in the queue
    const q = await json(await h.call('/api/triage', { token: secretary }))
    expect(q.status).toBe(200)
    expect(q.body.items.map((i: any) => i.id).sort()).toEqual([ids.r2, ids.r3].sort())
    const item = q.body.items.find((i: any) => i.id === ids.r2)
    expect(item).toMatchObject({ needsTriage: true, grid: '第二网格', category: 'repair' })
    expect(item.text).toContain('门禁')
    // Paged by cursor: the same items, oldest first, one at a time.
    const first = await json(await h.call('/api/triage?limit=1', { token: secretary }))
    expect(first.body.items).toHaveLength(1)
    expect(first.body.nextCursor).toEqual(expect.any(String))
    const second = await json(await h.call(`/api/triage?limit=1&cursor=${first.body.nextCursor}`, { token: secretary }))
    expect([...first.body.items, ...second.body.items].map((i: any) => i.id)).toEqual(q.body.items.map((i: any) => i.id))
    const third = await json(await h.call(`/api/triage?limit=1&cursor=${second.body.nextCursor}`, { token: secretary }))
    expect(third.body).toEqual({ items: [], nextCursor: null })

    const changed = await json(await h.call(`/api/triage/${ids.r3}`, { method: 'POST', token: secretary, json: { category: 'environment', urgency: 'high' } }))
    expect(changed.status).toBe(200)
    expect(changed.body).toMatchObject({ category: 'environment', urgency: 'high', needsTriage: false })
    const confirmed = await json(await h.call(`/api/triage/${ids.r2}`, { method: 'POST', token: secretary, json: {} }))
    expect(confirmed.body).toMatchObject({ category: 'repair', needsTriage: false })
    const ev = await h.db.getRepository(RequestEvent).findOneByOrFail({ requestId: ids.r3!, type: 'triaged' })
    expect(ev.data).toMatchObject({ from: { category: 'repair' }, to: { category: 'environment', urgency: 'high' } })
    expect((await json(await h.call('/api/triage', { token: secretary }))).body.items).toEqual([])

    expect((await h.call(`/api/triage/${ids.r2}`, { method: 'POST', token: secretary, json: { category: 'plumbing' } })).status).toBe(400)
    expect((await h.call(`/api/triage/${ids.r2}`, { method: 'POST', token: secretary, json: { category: 'repair', extra: 1 } })).status).toBe(400)
    expect((await h.call('/api/triage/999999', { method: 'POST', token: secretary, json: {} })).status).toBe(404)
    // Another community's 书记 cannot touch it.
    expect((await h.call(`/api/triage/${ids.r2}`, { method: 'POST', token: otherSecretary, json: { category: 'other' } })).status).toBe(404)
    expect((await repo.findOneByOrFail({ id: ids.r2! })).category).toBe('repair')
  })

  it('CSV export: BOM, Chinese headers, quoted fields, the period only, no resident phones or names', async () => {
    const res = await h.call('/api/requests.csv?from=2026-11-23&to=2026-11-23', { token: secretary })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/)
    expect(res.headers.get('content-disposition')).toContain('requests-2026-11-23-2026-11-23.csv')
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
    const lines = text.slice(1).split('\r\n').filter(Boolean)
    expect(lines[0]!.split(',').slice(0, 6)).toEqual(['工单号', '上报时间', '来源', '分类', '紧急程度', '状态'])
    expect(lines).toHaveLength(1 + 5) // r1–r5, not the one from two days before
    expect(text).toContain('"5号楼门禁坏了, 进不去 ""很急"""')
    expect(text).toContain('"\'=HYPERLINK(""x"") 4号楼路灯"')
    expect(text).toContain('139****2222')
    expect(text).not.toContain('13911112222')
    expect(text).not.toContain('李阿姨')
    expect(text).not.toContain('oLiAyi-openid')
    expect(text).toContain('2026-11-23 09:00')
    expect((await h.call('/api/requests.csv?from=bad', { token: secretary })).status).toBe(400)
  })
})
