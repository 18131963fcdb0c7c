import { afterAll, beforeAll, expect, it } from 'vitest'
import { RequestEvent, RequestReporter, ServiceRequest } from '../../../src/db/entities/index.js'
import { startTestApi, type TestApi } from '../../helpers/api.js'
import { describeEachDb } from '../../helpers/db.js'
import { fileRequest, resident } from '../../helpers/fixtures.js'

describeEachDb('书记 cancels and merges with a reason', (kind) => {
  let t: TestApi
  let secretary: string
  let leader: string
  beforeAll(async () => {
    t = await startTestApi(kind)
    secretary = (await t.signIn('赵书记', { phone: '13900000000' })).token
    leader = (await t.signIn('王芳', { phone: '13800000001' })).token
  })
  afterAll(() => t.close())

  it('cancels with the reason in the event log; a grid leader may not; no reason is a 400', async () => {
    const r = await fileRequest(t.db, t.clock, t.communityId, { text: '3号楼楼道灯坏了' })
    expect((await t.call('POST', `/api/requests/${r.id}/cancel`, { token: leader, json: { reason: '重复' } })).status).toBe(403)
    expect((await t.call('POST', `/api/requests/${r.id}/cancel`, { token: secretary, json: {} })).status).toBe(400)
    const res = await t.call('POST', `/api/requests/${r.id}/cancel`, { token: secretary, json: { reason: '居民已自行解决' } })
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ id: r.id, status: 'cancelled' })
    const event = await t.db.getRepository(RequestEvent).findOneByOrFail({ requestId: r.id, type: 'cancel' })
    expect(event.data).toMatchObject({ reason: '居民已自行解决' })
    expect((await t.call('POST', `/api/requests/${r.id}/cancel`, { token: secretary, json: { reason: '再来' } })).status).toBe(409)
  })

  it('merges into an open request by its number: reporters follow, the reason is kept', async () => {
    const li = await resident(t.db, t.communityId, '李阿姨')
    const into = await fileRequest(t.db, t.clock, t.communityId, { text: '5号楼电梯坏了', building: '5' })
    const dup = await fileRequest(t.db, t.clock, t.communityId, { text: '5号楼电梯又不动了', building: '5', reporterId: li.id })
    expect((await t.call('POST', `/api/requests/${dup.id}/merge`, { token: secretary, json: { into: '99999', reason: '重复' } })).status).toBe(404)
    const res = await t.call('POST', `/api/requests/${dup.id}/merge`, { token: secretary, json: { into: `#${into.no}`, reason: '同一部电梯' } })
    expect(res.status).toBe(200)
    expect((await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: dup.id })).mergedIntoId).toBe(into.id)
    expect(await t.db.getRepository(RequestReporter).countBy({ requestId: into.id, residentId: li.id })).toBe(1)
    expect((await t.db.getRepository(RequestEvent).findOneByOrFail({ requestId: dup.id, type: 'merge' })).data).toMatchObject({ into: into.no, reason: '同一部电梯' })
  })
})
