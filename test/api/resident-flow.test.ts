import { afterAll, beforeAll, expect, it } from 'vitest'
import { Attachment, InboxMessage, OutboxMessage, Resident, ServiceRequest } from '../../src/db/entities/index.js'
import { decryptPhone } from '../../src/people/phone.js'
import { fakeImage, photoForm, startTestApi, type TestApi } from '../helpers/api.js'
import { describeEachDb, TEST_KEY } from '../helpers/db.js'

describeEachDb('mini-program: the resident flow', (kind) => {
  let t: TestApi
  beforeAll(async () => { t = await startTestApi(kind) })
  afterAll(() => t.close())

  it('login → bind phone → submit with photo → list → timeline after the grid leader resolves → rate', async () => {
    // login: jscode2session creates the resident, in the only community
    t.wechat.addLoginCode('code-li', 'openid-li')
    const login = await t.call('POST', '/api/auth/login', { json: { code: 'code-li' } })
    expect(login.status).toBe(200)
    expect(login.json.user).toMatchObject({ role: 'resident', phone: null, community: { id: t.communityId, name: '幸福里社区' } })
    expect(JSON.stringify(login.json)).not.toContain('openid-li')
    let token: string = login.json.token

    // bind the phone: stored encrypted, masked and hashed; a resident phone gives no staff role
    t.wechat.addPhoneCode('phone-li', '13912345678')
    const bound = await t.call('POST', '/api/auth/phone', { token, json: { code: 'phone-li' } })
    expect(bound.status).toBe(200)
    expect(bound.json.user).toMatchObject({ phone: '139****5678', role: 'resident', staff: null })
    token = bound.json.token
    const row = await t.db.getRepository(Resident).findOneByOrFail({ openid: 'openid-li' })
    expect(row.phoneMasked).toBe('139****5678')
    expect(decryptPhone(row.phoneEncrypted!, TEST_KEY)).toBe('13912345678')
    expect(row.phoneEncrypted).not.toContain('13912345678')

    // profile
    const me = await t.call('PUT', '/api/me', { token, json: { name: '李阿姨', building: '3号楼', unit: '2', room: '301' } })
    expect(me.status).toBe(200)
    expect(me.json).toMatchObject({ name: '李阿姨', building: '3', unit: '2', room: '301' })

    // a photo, then the request that references it
    const upload = await t.call('POST', '/api/photos', { token, body: photoForm([{ data: fakeImage.jpeg(2048), type: 'image/jpeg', name: 'light.jpg' }]) })
    expect(upload.status).toBe(201)
    const photoId: number = upload.json.items[0].id
    expect(upload.json.items[0]).toMatchObject({ mime: 'image/jpeg', size: 2048, url: `/api/photos/${photoId}` })

    const created = await t.call('POST', '/api/requests', { token, json: { text: '楼道灯坏了，晚上看不见', photos: [photoId] } })
    expect(created.status).toBe(201)
    expect(created.json.outcome).toBe('created')
    const req = created.json.request
    expect(req).toMatchObject({ status: 'dispatched', statusName: '已派单', category: 'repair', categoryName: '维修报修', building: '3', unit: '2', room: '301', assignee: { name: '王芳' } })
    expect(created.json.photos).toEqual([photoId])
    const stored = await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: req.id })
    expect(stored.source).toBe('miniprogram')
    expect(await t.db.getRepository(Attachment).findOneByOrFail({ id: photoId })).toMatchObject({ requestId: req.id })
    expect(await t.db.getRepository(InboxMessage).findOneByOrFail({ requestId: req.id })).toMatchObject({ channel: 'miniprogram', status: 'processed' })
    // the grid leader got the task by WeChat DM, through the outbox
    const task = await t.db.getRepository(OutboxMessage).findOneByOrFail({ requestId: req.id, target: '王芳' })
    expect(task.text).toContain('小程序')

    // list
    const list = await t.call('GET', '/api/requests?page=1&pageSize=10', { token })
    expect(list.status).toBe(200)
    expect(list.json.total).toBe(1)
    expect(list.json.items.map((r: any) => r.id)).toEqual([req.id])

    // the grid leader signs in with the phone from the community file and resolves it
    const wang = await t.signIn('王芳', { phone: '13800000001' })
    expect(wang.user).toMatchObject({ role: 'grid_leader', staff: { name: '王芳' } })
    const resolved = await t.call('POST', `/api/tasks/${req.id}/resolve`, { token: wang.token, json: { note: '已更换灯泡' } })
    expect(resolved.status).toBe(200)
    expect(resolved.json.task.status).toBe('resolved')

    // the resident sees the timeline, with the photo, in Chinese
    const detail = await t.call('GET', `/api/requests/${req.id}`, { token })
    expect(detail.status).toBe(200)
    expect(detail.json.request.status).toBe('resolved')
    const labels = detail.json.timeline.map((e: any) => e.label)
    expect(labels).toEqual(['提交诉求', '已派单给王芳', '我上传了照片', '王芳已办结'])
    expect(detail.json.timeline.at(-1).note).toBe('已更换灯泡')
    expect(detail.json.photos.map((p: any) => p.id)).toEqual([photoId])
    expect(detail.json.permissions).toEqual({ rate: true, comment: true, withdraw: false })
    const photo = await t.call('GET', `/api/photos/${photoId}`, { token })
    expect(photo.status).toBe(200)
    expect(photo.headers.get('content-type')).toBe('image/jpeg')
    expect(photo.bytes.equals(fakeImage.jpeg(2048))).toBe(true)

    // rate: satisfied closes it
    const rated = await t.call('POST', `/api/requests/${req.id}/rating`, { token, json: { solved: true, rating: 'satisfied' } })
    expect(rated.status).toBe(200)
    expect(rated.json.request).toMatchObject({ status: 'closed', rating: 'satisfied', ratingName: '满意' })
    const again = await t.call('POST', `/api/requests/${req.id}/rating`, { token, json: { solved: true, rating: 'satisfied' } })
    expect(again.status).toBe(409)
    expect(again.json.error.code).toBe('already_rated')
    const after = await t.call('GET', `/api/requests/${req.id}`, { token })
    expect(after.json.timeline.map((e: any) => e.label).slice(-2)).toEqual(['回访评价：满意', '已关闭（满意）'])
  })
})
