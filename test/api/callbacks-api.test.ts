import { afterAll, beforeAll, expect, it } from 'vitest'
import { OutboxMessage, RequestEvent, ServiceRequest } from '../../src/db/entities/index.js'
import { startTestApi, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'

// The mini-program's 回访 and the staff's honest 办结 outcome, through the real API.
describeEachDb('mini-program: 回访 answers and 办结 outcomes', (kind) => {
  let t: TestApi, li: SignedIn, wang: SignedIn, secretary: SignedIn
  beforeAll(async () => {
    t = await startTestApi(kind)
    li = await t.signIn('李阿姨')
    wang = await t.signIn('王芳', { phone: '13800000001' })
    secretary = await t.signIn('赵书记', { phone: '13900000000' })
  })
  afterAll(() => t.close())

  async function resolved(text: string, resolve: Record<string, unknown>) {
    const r = await t.call('POST', '/api/requests', { token: li.token, json: { text, building: '3' } })
    expect(r.status).toBe(201)
    const id = r.json.request.id as number
    const done = await t.call('POST', `/api/tasks/${id}/resolve`, { token: wang.token, json: resolve })
    return { id, done }
  }

  it('solved but 不满意 (a complaint) is recorded and sent to the 书记 without reopening; a second rating is a kind 409', async () => {
    const { id } = await resolved('3号楼2单元楼道灯不亮了', { note: '已换灯泡' })
    const rated = await t.call('POST', `/api/requests/${id}/rating`, { token: li.token, json: { solved: true, rating: 'unsatisfied', words: '等了三天才来' } })
    expect(rated.status).toBe(200)
    expect(rated.json.request).toMatchObject({ status: 'closed' })
    const request = await t.db.getRepository(ServiceRequest).findOneByOrFail({ id })
    expect([request.reopenCount, request.rating]).toEqual([0, 'unsatisfied'])
    const notice = await t.db.getRepository(OutboxMessage).findOneByOrFail({ requestId: id, target: '赵书记' })
    expect(notice.text).toContain('【回访不满意】')
    expect(notice.text).toContain('“等了三天才来”')
    const again = await t.call('POST', `/api/requests/${id}/rating`, { token: li.token, json: { solved: false, rating: 'unsatisfied' } })
    expect(again.status).toBe(409)
    expect(again.json.error).toMatchObject({ code: 'already_rated', message: expect.stringContaining('已经记录过了') })
    expect((await t.db.getRepository(ServiceRequest).findOneByOrFail({ id })).status).toBe('closed')
    const detail = await t.call('GET', `/api/requests/${id}`, { token: li.token })
    expect(detail.json.permissions.rate).toBe(false)
  })

  it('two ratings at once from the same resident: one 200, one 409 already_rated, never a 500', async () => {
    const { id } = await resolved('3号楼门口的垃圾桶坏了', { note: '已更换' })
    const results = await Promise.all([
      t.call('POST', `/api/requests/${id}/rating`, { token: li.token, json: { solved: true, rating: 'satisfied' } }),
      t.call('POST', `/api/requests/${id}/rating`, { token: li.token, json: { solved: false, rating: 'unsatisfied', words: '还是坏的' } }),
    ])
    expect(results.map((r) => r.status).sort()).toEqual([200, 409])
    expect(await t.db.getRepository(RequestEvent).countBy({ requestId: id, type: 'callback_answered' })).toBe(1)
  })

  it('办结 with an outcome: given in the API field or leading the note; 未解决 without a reason is refused; the dashboard counts them apart', async () => {
    const partial = await resolved('3号楼1单元扶手松了', { note: '扶手已加固，油漆下周补', outcome: 'partial' })
    expect(partial.done.status).toBe(200)
    const referred = await resolved('3号楼前的马路井盖坏了', { note: '转办 市政道路不归社区，已转交街道城管科' })
    expect(referred.done.status).toBe(200)
    const bare = await resolved('3号楼楼顶漏水', { note: '未解决' })
    expect(bare.done.status).toBe(400)
    expect(bare.done.json.error.message).toContain('未解决需要说明原因')
    const byId = (id: number) => t.db.getRepository(ServiceRequest).findOneByOrFail({ id })
    expect((await byId(partial.id)).resolutionOutcome).toBe('partial')
    expect((await byId(referred.id)).resolutionOutcome).toBe('referred')
    expect((await byId(bare.id)).status).not.toBe('resolved')
    const day = (offset: number) => new Date(t.clock.now().getTime() + offset * 86_400_000).toISOString().slice(0, 10)
    const dash = await t.call('GET', `/api/dashboard?from=${day(-1)}&to=${day(1)}`, { token: secretary.token })
    expect(dash.status).toBe(200)
    expect(dash.json.outcomes).toMatchObject({ partial: 1, referred: 1, unsolved_explained: 0 })
    const o = dash.json.outcomes
    expect(o.solved + o.partial + o.unsolved_explained + o.referred).toBe(dash.json.totals.resolved)
    expect((await t.call('POST', `/api/tasks/${bare.id}/resolve`, { token: wang.token, json: { note: 'x', outcome: 'maybe' } })).status).toBe(400)
  })
})
