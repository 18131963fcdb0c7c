import { afterAll, beforeAll, expect, it } from 'vitest'
import { OutboxMessage, RequestEvent, RequestReporter, ServiceRequest } from '../../src/db/entities/index.js'
import { fakeImage, photoForm, startTestApi, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'
import { fileRequest, resident } from '../helpers/fixtures.js'

describeEachDb('mini-program: the staff flow', (kind) => {
  let t: TestApi
  let wang: SignedIn
  beforeAll(async () => {
    // tokens outlive the SLA windows the overdue test moves the clock past
    t = await startTestApi(kind, { env: { JWT_TTL: '30d' } })
    wang = await t.signIn('王芳', { phone: '13800000001' })
  })
  afterAll(() => t.close())

  const file = async (o: Parameters<typeof fileRequest>[3] = {}) => {
    const li = await resident(t.db, t.communityId, `居民${Math.random().toString(36).slice(2, 7)}`)
    return fileRequest(t.db, t.clock, t.communityId, { reporterId: li.id, ...o })
  }

  it('login + phone → grid leader → tasks → accept → resolve with photos, with the bot\'s events and notifications', async () => {
    expect(wang.user).toMatchObject({ role: 'grid_leader', roleName: '网格员', staff: { name: '王芳', role: 'grid_leader' } })
    const r = await file({ text: '3号楼电梯不动了' })

    const tasks = await t.call('GET', '/api/tasks', { token: wang.token })
    expect(tasks.status).toBe(200)
    const item = tasks.json.items.find((x: any) => x.id === r.id)
    expect(item).toMatchObject({ no: r.no, status: 'dispatched', assignee: { name: '王芳' }, reporterCount: 1, overdue: false })
    expect(item.reporter.name).toMatch(/^居民/)
    expect(JSON.stringify(tasks.json)).not.toMatch(/1[3-9]\d{9}|openid/)

    const accepted = await t.call('POST', `/api/tasks/${r.id}/accept`, { token: wang.token })
    expect(accepted.status).toBe(200)
    expect(accepted.json.task.status).toBe('accepted')
    const twice = await t.call('POST', `/api/tasks/${r.id}/accept`, { token: wang.token })
    expect(twice.status).toBe(409)
    expect(twice.json.error.code).toBe('illegal_transition')

    const up = await t.call('POST', '/api/photos', { token: wang.token, body: photoForm([{ data: fakeImage.png(300) }, { data: fakeImage.webp(300), type: 'image/webp' }]) })
    expect(up.status).toBe(201)
    const ids = up.json.items.map((p: any) => p.id)
    const resolved = await t.call('POST', `/api/tasks/${r.id}/resolve`, { token: wang.token, json: { note: '已联系物业修好', photos: ids } })
    expect(resolved.status).toBe(200)
    expect(resolved.json.task).toMatchObject({ status: 'resolved', resolutionNote: '已联系物业修好' })

    const events = await t.db.getRepository(RequestEvent).find({ where: { requestId: r.id }, order: { id: 'ASC' } })
    expect(events.map((e) => [e.type, e.channel])).toEqual([['created', 'group'], ['dispatch', 'system'], ['accept', 'miniprogram'], ['resolve', 'miniprogram'], ['photos', 'miniprogram']])
    const reporters = await t.db.getRepository(RequestReporter).findBy({ requestId: r.id })
    expect(reporters.every((x) => x.callbackStatus === 'pending' && x.callbackDueAt)).toBe(true)
    const dms = await t.db.getRepository(OutboxMessage).findBy({ requestId: r.id, channel: 'wechat_dm' })
    expect(dms.some((d) => d.text.includes('已由王芳签收'))).toBe(true)
    expect(dms.some((d) => d.text.includes('已联系物业修好'))).toBe(true)
  })

  it('filters tasks by status, category and overdue', async () => {
    const repair = await file({ text: '水管漏水', category: 'repair' })
    const env = await file({ text: '垃圾没人清', category: 'environment' })
    const ids = async (q: string) => (await t.call('GET', `/api/tasks${q}`, { token: wang.token })).json.items.map((x: any) => x.id)
    expect(await ids('?category=environment')).toContain(env.id)
    expect(await ids('?category=environment')).not.toContain(repair.id)
    expect(await ids('?category=repair,environment')).toEqual(expect.arrayContaining([repair.id, env.id]))
    expect(await ids('?status=resolved')).not.toContain(repair.id)
    expect(await ids('?overdue=true')).not.toContain(repair.id)
    t.clock.advance(5 * 3600_000) // past the 4 h 签收 window
    expect(await ids('?overdue=true')).toEqual(expect.arrayContaining([repair.id, env.id]))
    expect(await ids('?overdue=false')).not.toContain(repair.id)
    const page = await t.call('GET', '/api/tasks?pageSize=1&page=2', { token: wang.token })
    expect(page.json).toMatchObject({ page: 2, pageSize: 1 })
    expect(page.json.items).toHaveLength(1)
    expect((await t.call('GET', '/api/tasks?status=bogus', { token: wang.token })).status).toBe(400)
  })

  it('pages tasks by cursor: every task once, in deadline order, the same as by page', async () => {
    await file({ text: '路灯坏了', urgency: 'urgent' })
    await file({ text: '单元门坏了' })
    const all = (await t.call('GET', '/api/tasks?pageSize=50', { token: wang.token })).json
    expect(all.total).toBeGreaterThanOrEqual(4)
    const seen: number[] = []
    let cursor: string | null = null
    do {
      const page: any = (await t.call('GET', `/api/tasks?pageSize=2${cursor ? `&cursor=${cursor}` : ''}`, { token: wang.token })).json
      expect(page.total).toBe(all.total)
      seen.push(...page.items.map((x: any) => x.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toEqual(all.items.map((x: any) => x.id))
    expect((await t.call('GET', '/api/tasks?cursor=abc', { token: wang.token })).status).toBe(400)
  })

  it('退单 goes to the 书记, who sees it in their tasks and re-dispatches it with 转派', async () => {
    const r = await file({ text: '楼上噪音', building: '3' })
    const returned = await t.call('POST', `/api/tasks/${r.id}/return`, { token: wang.token, json: { reason: '不属于本网格' } })
    expect(returned.status).toBe(200)
    expect(returned.json.task).toMatchObject({ status: 'returned', assignee: null })
    const noReason = await t.call('POST', `/api/tasks/${r.id}/return`, { token: wang.token, json: { reason: '   ' } })
    expect(noReason.status).toBe(400)

    const zhao = await t.signIn('赵书记', { phone: '13900000000' })
    expect(zhao.user.role).toBe('secretary')
    const queue = await t.call('GET', '/api/tasks', { token: zhao.token })
    expect(queue.json.items.map((x: any) => x.id)).toContain(r.id)
    const moved = await t.call('POST', `/api/tasks/${r.id}/transfer`, { token: zhao.token, json: { staff: '刘强' } })
    expect(moved.status).toBe(200)
    expect(moved.json.task).toMatchObject({ status: 'dispatched', assignee: { name: '刘强' } })
    const nobody = await t.call('POST', `/api/tasks/${r.id}/transfer`, { token: zhao.token, json: { staff: '不存在的人' } })
    expect(nobody.status).toBe(404)
    expect(nobody.json.error.code).toBe('staff_not_found')
    // 王芳 no longer has it: it is another grid's now, which she cannot even see (404, as for GET /api/requests/:id)
    const gone = await t.call('POST', `/api/tasks/${r.id}/accept`, { token: wang.token })
    expect(gone.status).toBe(404)
    expect(gone.json.error.code).toBe('request_not_found')
    expect((await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: r.id })).assigneeStaffId).not.toBeNull()
  })

  it('residents cannot use the staff endpoints', async () => {
    const li = await t.signIn('普通居民')
    const r = await file()
    for (const [method, path] of [['GET', '/api/tasks'], ['POST', `/api/tasks/${r.id}/accept`]] as const) {
      const res = await t.call(method, path, { token: li.token })
      expect(res.status).toBe(403)
      expect(res.json.error.code).toBe('staff_only')
    }
  })
})
