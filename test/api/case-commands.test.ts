import { afterAll, beforeAll, expect, it } from 'vitest'
import { RequestEvent, RequestReporter, ServiceRequest } from '../../src/db/entities/index.js'
import { startTestApi, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'
import { fileRequest, resident } from '../helpers/fixtures.js'

// The case commands through the API: the same data-layer commands the bot runs.
describeEachDb('API: case commands (withdraw, cancel, merge, split, location)', (kind) => {
  let t: TestApi, li: SignedIn, wang: SignedIn, zhao: SignedIn
  beforeAll(async () => {
    t = await startTestApi(kind)
    li = await t.signIn('李阿姨')
    wang = await t.signIn('王芳', { phone: '13800000001' })
    zhao = await t.signIn('赵书记', { phone: '13900000000' })
  })
  afterAll(() => t.close())
  const file = async (o: Parameters<typeof fileRequest>[3] = {}) => fileRequest(t.db, t.clock, t.communityId, { reporterId: (await resident(t.db, t.communityId, `居民${Math.random().toString(36).slice(2, 7)}`)).id, ...o })

  it('the reporter withdraws from the mini-program; nobody else can', async () => {
    const made = await t.call('POST', '/api/requests', { token: li.token, json: { text: '3号楼楼道灯坏了，晚上很黑' } })
    expect(made.status).toBe(201)
    const id = made.json.request.id
    expect((await t.call('GET', `/api/requests/${id}`, { token: li.token })).json.permissions.withdraw).toBe(true)
    expect((await t.call('POST', `/api/requests/${id}/withdraw`, { token: wang.token, json: {} })).status).toBe(403)
    const res = await t.call('POST', `/api/requests/${id}/withdraw`, { token: li.token, json: { reason: '已经修好了' } })
    expect(res.status).toBe(200)
    expect(res.json.request.status).toBe('cancelled')
    const e = await t.db.getRepository(RequestEvent).findOneByOrFail({ requestId: id, type: 'cancel' })
    expect(e).toMatchObject({ actorType: 'resident', channel: 'miniprogram', data: { kind: 'withdrawn', reason: '已经修好了' } })
    const again = await t.call('POST', `/api/requests/${id}/withdraw`, { token: li.token, json: {} })
    expect(again.status).toBe(409)
    expect(again.json.error.code).toBe('illegal_transition')
  })

  it('the 书记 cancels as not_a_request with a reason; a grid leader may not; a reason is required', async () => {
    const r = await file({ text: '今天天气不错', category: 'other' })
    expect((await t.call('POST', `/api/requests/${r.id}/cancel`, { token: wang.token, json: { kind: 'not_a_request', reason: '闲聊' } })).status).toBe(403)
    expect((await t.call('POST', `/api/requests/${r.id}/cancel`, { token: zhao.token, json: { kind: 'not_a_request' } })).status).toBe(400)
    const res = await t.call('POST', `/api/requests/${r.id}/cancel`, { token: zhao.token, json: { kind: 'not_a_request', reason: '不是诉求' } })
    expect(res.status).toBe(200)
    expect(res.json.task.status).toBe('cancelled')
    const detail = await t.call('GET', `/api/requests/${r.id}`, { token: zhao.token })
    expect(detail.json.timeline.map((e: any) => e.label)).toContain('已撤销（不是诉求）')
  })

  it('merges, splits and relocates as the grid leader who holds the requests', async () => {
    const a = await file({ text: '3号楼楼顶漏水' })
    const b = await file({ text: '3号楼301天花板滴水' })
    const merged = await t.call('POST', `/api/requests/${b.id}/merge`, { token: wang.token, json: { into: a.id } })
    expect(merged.status).toBe(200)
    expect(merged.json.task.status).toBe('merged')
    expect(merged.json.into.reporterCount).toBe(2)
    expect(await t.db.getRepository(RequestReporter).countBy({ requestId: a.id })).toBe(2)

    const multi = await file({ text: '2号楼电梯异响，楼道灯也不亮', building: '2' })
    const split = await t.call('POST', `/api/requests/${multi.id}/split`, { token: wang.token, json: { parts: [{ text: '2号楼楼道灯不亮' }] } })
    expect(split.status).toBe(201)
    expect(split.json.created).toHaveLength(1)
    expect(split.json.created[0]).toMatchObject({ status: 'dispatched', category: 'repair' })

    const moved = await t.call('POST', `/api/requests/${a.id}/location`, { token: wang.token, json: { building: '9号楼', unit: '2' } })
    expect(moved.status).toBe(200)
    expect(await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: a.id })).toMatchObject({ building: '9', unit: '2' })
    // now 张伟's: 王芳 no longer sees it
    expect((await t.call('POST', `/api/requests/${a.id}/location`, { token: wang.token, json: { building: '3' } })).status).toBe(404)
    const bad = await t.call('POST', `/api/requests/${multi.id}/location`, { token: wang.token, json: { building: '99' } })
    expect(bad.status).toBe(400)
  })
})
