import { afterAll, beforeAll, expect, it } from 'vitest'
import { Community, InboxMessage, OutboxMessage, RequestReporter, ServiceRequest } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { resolveRequest } from '../../src/requests/staffActions.js'
import { startTestApi, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'
import { staffNamed } from '../helpers/fixtures.js'

describeEachDb('mini-program: residents\' requests', (kind) => {
  let t: TestApi
  let li: SignedIn
  beforeAll(async () => {
    t = await startTestApi(kind)
    li = await t.signIn('李阿姨')
  })
  afterAll(() => t.close())

  const submit = (token: string, json: unknown, headers?: Record<string, string>) => t.call('POST', '/api/requests', { token, json, headers })
  const resolveAsLeader = async (id: number) => {
    const wang = await staffNamed(t.db, '王芳')
    await inTransaction(t.db, (em) => resolveRequest(em, t.clock, { requestId: id, staff: wang, channel: 'private', note: '修好了' }))
  }

  it('chatter without a chosen category is 422 not_a_request, with a Chinese invitation; the message is still kept', async () => {
    const res = await submit(li.token, { text: '大家早上好，今天天气真不错' })
    expect(res.status).toBe(422)
    expect(res.json.error.code).toBe('not_a_request')
    expect(res.json.error.message).toMatch(/请具体描述/)
    const kept = await t.db.getRepository(InboxMessage).findOneByOrFail({ text: '大家早上好，今天天气真不错' })
    expect(kept).toMatchObject({ channel: 'miniprogram', status: 'processed', requestId: null })
  })

  it('with a category the resident chose, the same words are filed for the 书记\'s triage', async () => {
    const res = await submit(li.token, { text: '大家早上好，今天天气真不错', category: 'suggestion', building: '5' })
    expect(res.status).toBe(201)
    expect(res.json.request).toMatchObject({ category: 'suggestion', building: '5' })
    const row = await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: res.json.request.id })
    expect(row.needsTriage).toBe(true)
  })

  it('the classifier still runs when a category is suggested; a disagreement goes to triage', async () => {
    const res = await submit(li.token, { text: '8号楼门口的路灯坏了好几天了，晚上很黑', category: 'suggestion' })
    expect(res.status).toBe(201)
    const row = await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: res.json.request.id })
    expect(row.category).toBe('repair')
    expect(row.needsTriage).toBe(true)
    expect(row.building).toBe('8')
  })

  it('an Idempotency-Key replay answers with the same request and files nothing twice', async () => {
    const body = { text: '2号楼3单元楼道的声控灯不亮了', building: '2' }
    const first = await submit(li.token, body, { 'idempotency-key': 'retry-abc-1' })
    const second = await submit(li.token, body, { 'idempotency-key': 'retry-abc-1' })
    expect(first.status).toBe(201)
    expect(second.status).toBe(201)
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    expect(second.json.request.id).toBe(first.json.request.id)
    expect(await t.db.getRepository(InboxMessage).countBy({ messageId: `mp:${li.user.id}:retry-abc-1` })).toBe(1)
    expect(await t.db.getRepository(OutboxMessage).countBy({ requestId: first.json.request.id, target: '王芳' })).toBe(1)
    expect((await submit(li.token, body, { 'idempotency-key': 'bad key with spaces' })).status).toBe(400)
  })

  it('two concurrent submissions with the same Idempotency-Key file one request', async () => {
    const body = { text: '7号楼地下车库漏水，积水很深', building: '7' }
    const results = await Promise.all([0, 1].map(() => submit(li.token, body, { 'idempotency-key': 'double-tap-1' })))
    for (const r of results) expect([201, 409]).toContain(r.status)
    expect(results.some((r) => r.status === 201)).toBe(true)
    const ids = new Set(results.filter((r) => r.status === 201).map((r) => r.json.request.id))
    expect(ids.size).toBe(1)
    expect(await t.db.getRepository(ServiceRequest).countBy({ originalText: body.text })).toBe(1)
  })

  it('a submission that died between the inbox and intake is retried with its Idempotency-Key once the lease has passed', async () => {
    const body = { text: '6号楼的单元门禁坏了，刷卡没反应', building: '6' }
    const key = 'crashed-midway-1'
    // what a crash after the inbox insert leaves: a pending row, no request
    await t.db.getRepository(InboxMessage).insert({
      channel: 'miniprogram', messageId: `mp:${li.user.id}:${key}`, kind: 'text', senderId: `resident:${li.user.id}`, text: body.text,
      payload: {}, status: 'pending', attempts: 1, receivedAt: t.clock.now(), claimedAt: t.clock.now(),
    })
    const early = await submit(li.token, body, { 'idempotency-key': key })
    expect(early.status).toBe(409)
    expect(early.json.error.code).toBe('request_in_progress')
    t.clock.advance(61_000)
    const retried = await submit(li.token, body, { 'idempotency-key': key })
    expect(retried.status).toBe(201)
    const replay = await submit(li.token, body, { 'idempotency-key': key })
    expect(replay.json.request.id).toBe(retried.json.request.id)
    expect(await t.db.getRepository(ServiceRequest).countBy({ originalText: body.text })).toBe(1)
  })

  it('ten identical submissions from ten residents at once make one request', async () => {
    const people = await Promise.all(Array.from({ length: 10 }, (_, i) => t.signIn(`邻居${i}`)))
    const body = { text: '10号楼2单元的电梯困人了，按钮没反应', building: '10' }
    const results = await Promise.all(people.map((p) => submit(p.token, body)))
    expect(results.map((r) => r.status).filter((s) => s >= 500)).toEqual([])
    expect(new Set(results.map((r) => r.json.request.id)).size).toBe(1)
    expect(results.filter((r) => r.json.outcome === 'created')).toHaveLength(1)
    expect(await t.db.getRepository(ServiceRequest).countBy({ building: '10', category: 'repair' })).toBe(1)
  })

  it('the same problem from a neighbour is attached (200) and both see it; the neighbour sees masked numbers', async () => {
    const first = await submit(li.token, { text: '9号楼电梯坏了，困了好久，我电话13912345678', building: '9' })
    expect(first.status).toBe(201)
    const zhang = await t.signIn('张大爷')
    const second = await submit(zhang.token, { text: '9号楼电梯又坏了', building: '9' })
    expect(second.status).toBe(200)
    expect(second.json.outcome).toBe('attached')
    expect(second.json.request.id).toBe(first.json.request.id)
    expect(second.json.request.text).toContain('139****5678')
    const mine = await t.call('GET', '/api/requests', { token: zhang.token })
    expect(mine.json.items.map((x: any) => x.id)).toEqual([first.json.request.id])
    const own = await t.call('GET', `/api/requests/${first.json.request.id}`, { token: li.token })
    expect(own.json.request.text).toContain('13912345678')
    const theirs = await t.call('GET', `/api/requests/${first.json.request.id}`, { token: zhang.token })
    expect(theirs.json.timeline.map((e: any) => e.label)).toContain('其他居民也反映了此问题')
    expect(JSON.stringify(theirs.json)).not.toContain('13912345678')
  })

  it('an unknown building is a 400 naming the buildings; a numeric building is accepted', async () => {
    const bad = await submit(li.token, { text: '楼道灯坏了', building: '99' })
    expect(bad.status).toBe(400)
    expect(bad.json.error.code).toBe('unknown_building')
    expect(bad.json.error.details.buildings).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', 'A', 'B'])
    const ok = await submit(li.token, { text: '6号楼楼道灯坏了', building: 6 })
    expect(ok.status).toBe(201)
    expect(ok.json.request.building).toBe('6')
  })

  it('lists my requests newest first, by page or by cursor', async () => {
    const page1 = await t.call('GET', '/api/requests?pageSize=2', { token: li.token })
    expect(page1.status).toBe(200)
    expect(page1.json.items).toHaveLength(2)
    expect(page1.json.total).toBeGreaterThanOrEqual(4)
    const ids = page1.json.items.map((x: any) => x.id)
    expect(ids[0]).toBeGreaterThan(ids[1])
    const next = await t.call('GET', `/api/requests?pageSize=2&cursor=${page1.json.nextCursor}`, { token: li.token })
    expect(next.json.items[0].id).toBeLessThan(ids[1])
    const page2 = await t.call('GET', '/api/requests?pageSize=2&page=2', { token: li.token })
    expect(page2.json.items.map((x: any) => x.id)).toEqual(next.json.items.map((x: any) => x.id))
    const filtered = await t.call('GET', '/api/requests?status=closed', { token: li.token })
    expect(filtered.json.items).toEqual([])
  })

  it('rating before the request is resolved is a 409; unsatisfied reopens it (重办)', async () => {
    const r = await submit(li.token, { text: '1号楼下水道堵了，污水漫出来', building: '1' })
    const id = r.json.request.id
    const early = await t.call('POST', `/api/requests/${id}/rating`, { token: li.token, json: { solved: true, rating: 'satisfied' } })
    expect(early.status).toBe(409)
    expect(early.json.error.code).toBe('request_not_resolved')
    await resolveAsLeader(id)
    const rated = await t.call('POST', `/api/requests/${id}/rating`, { token: li.token, json: { solved: false, rating: 'basically_satisfied', words: '还是堵' } })
    expect(rated.status).toBe(200)
    expect(rated.json.request).toMatchObject({ status: 'reopened', reopened: true })
    const detail = await t.call('GET', `/api/requests/${id}`, { token: li.token })
    expect(detail.json.timeline.at(-1)).toMatchObject({ label: '重新办理', note: '还是堵' })
    expect((await t.call('POST', `/api/requests/${id}/rating`, { token: li.token, json: { solved: 'yes', rating: 'great' } })).status).toBe(400)
  })

  it('a resident\'s comment reaches the assignee through the outbox; a staff comment reaches subscribed reporters', async () => {
    await t.call('PUT', '/api/me', { token: li.token, json: { subscribeAllowed: true } })
    const r = await submit(li.token, { text: '3号楼楼顶漏水，家里天花板在滴水', building: '3' })
    const id = r.json.request.id
    const c = await t.call('POST', `/api/requests/${id}/comments`, { token: li.token, json: { text: '今天下午家里有人' } })
    expect(c.status).toBe(201)
    expect(c.json.comment).toMatchObject({ type: 'comment', label: '我留言', note: '今天下午家里有人' })
    const dm = await t.db.getRepository(OutboxMessage).findOneByOrFail({ requestId: id, target: '王芳', text: '【居民留言】工单 ' + r.json.request.no + '：今天下午家里有人' })
    expect(dm.channel).toBe('wechat_dm')

    const wang = await t.signIn('王芳', { phone: '13800000001' })
    const reply = await t.call('POST', `/api/requests/${id}/comments`, { token: wang.token, json: { text: '下午三点上门' } })
    expect(reply.status).toBe(201)
    expect(reply.json.comment.label).toBe('王芳留言')
    const mp = await t.db.getRepository(OutboxMessage).findOneByOrFail({ requestId: id, channel: 'mp_subscribe' , text: `工作人员王芳就工单 ${r.json.request.no} 留言：下午三点上门` })
    expect(mp.target).toBe(li.openid)
    const timeline = (await t.call('GET', `/api/requests/${id}`, { token: li.token })).json.timeline
    expect(timeline.filter((e: any) => e.type === 'comment').map((e: any) => [e.label, e.note])).toEqual([['我留言', '今天下午家里有人'], ['王芳留言', '下午三点上门']])
  })

  it('with several communities, a resident without one must choose; then the building is checked against it', async () => {
    await t.db.getRepository(Community).save(t.db.getRepository(Community).create({ name: '第二社区', timezone: 'Asia/Shanghai', settings: { routing: {}, sla: {}, merge: { enabled: true, windowHours: 48, minSimilarity: 0.3, followUpMinutes: 120 }, callbacks: { delayMinutes: 120, quietStart: '21:00', quietEnd: '08:00', reminderHours: 24, closeAfterHours: 24 } } }))
    try {
      const newcomer = await t.call('POST', '/api/auth/login', { json: { code: (t.wechat.addLoginCode('nc', 'openid-newcomer'), 'nc') } })
      expect(newcomer.json.user.community).toBeNull()
      const token = newcomer.json.token
      const blocked = await submit(token, { text: '3号楼楼道灯坏了' })
      expect(blocked.status).toBe(400)
      expect(blocked.json.error.code).toBe('community_required')
      expect((await t.call('PUT', '/api/me', { token, json: { building: '3' } })).json.error.code).toBe('community_required')
      const communities = await t.call('GET', '/api/communities')
      expect(communities.json.items.map((c: any) => c.name)).toEqual(['幸福里社区', '第二社区'])
      const chose = await t.call('PUT', '/api/me', { token, json: { communityId: t.communityId, building: '3', unit: '1单元', room: '502室' } })
      expect(chose.status).toBe(200)
      expect(chose.json).toMatchObject({ community: { id: t.communityId }, building: '3', unit: '1', room: '502' })
      const filed = await submit(token, { text: '楼道灯坏了，一直不亮' })
      expect(filed.status).toBe(201)
      expect(filed.json.request).toMatchObject({ building: '3', unit: '1', room: '502' })
    } finally {
      await t.db.getRepository(Community).delete({ name: '第二社区' })
    }
  })

  it('only reporters and co-reporters count as "mine"', async () => {
    const rows = await t.db.getRepository(RequestReporter).findBy({ residentId: li.user.id })
    const list = await t.call('GET', '/api/requests?pageSize=50', { token: li.token })
    expect(list.json.total).toBe(rows.length)
  })
})
