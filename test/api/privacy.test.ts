import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestApi, type ApiResponse, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'

const PHONE = /1[3-9]\d{9}/
const ID_CARD = /\d{17}[\dXx]/

/**
 * No API response carries a full phone or ID number that the caller did not write themselves: not the
 * reporter's in a grid leader's or the 书记's view, not a neighbour's in a co-reporter's, not a staff
 * member's in a resident's. (The caller's own bound phone only ever appears masked, in /api/me.)
 */
describeEachDb('mini-program: phone and ID numbers in free text', (kind) => {
  let t: TestApi
  let li: SignedIn, zhang: SignedIn, wang: SignedIn, zhao: SignedIn
  let id: number
  const seen: ApiResponse[] = []
  const call = async (...a: Parameters<TestApi['call']>) => {
    const res = await t.call(...a)
    seen.push(res)
    return res
  }
  const text = (res: ApiResponse) => JSON.stringify(res.json)

  beforeAll(async () => {
    t = await startTestApi(kind)
    li = await t.signIn('李阿姨', { phone: '13912345678' })
    zhang = await t.signIn('张大爷')
    wang = await t.signIn('王芳', { phone: '13800000001' })
    zhao = await t.signIn('赵书记', { phone: '13900000000' })
    const created = await call('POST', '/api/requests', { token: li.token, json: { text: '3号楼电梯坏了，困了好久，我电话13912345678，身份证110101199003071234', building: '3' } })
    expect(created.status, created.text).toBe(201)
    id = created.json.request.id
    // a neighbour reports the same problem and is attached to it
    const same = await call('POST', '/api/requests', { token: zhang.token, json: { text: '3号楼电梯又坏了', building: '3' } })
    expect(same.json).toMatchObject({ outcome: 'attached', request: { id } })
    expect((await call('POST', `/api/requests/${id}/comments`, { token: li.token, json: { text: '也可以打我家人13712345678' } })).status).toBe(201)
  })
  afterAll(() => t.close())

  it('the grid leader sees the resident\'s words with the numbers masked: task list, detail, accept, resolve', async () => {
    const tasks = await call('GET', '/api/tasks', { token: wang.token })
    const detail = await call('GET', `/api/requests/${id}`, { token: wang.token })
    const accepted = await call('POST', `/api/tasks/${id}/accept`, { token: wang.token })
    const resolved = await call('POST', `/api/tasks/${id}/resolve`, { token: wang.token, json: { note: '已修好，物业值班电话13611112222' } })
    for (const res of [tasks, detail, accepted, resolved]) {
      expect(res.status, res.text).toBe(200)
      expect(text(res)).not.toMatch(/13912345678|13712345678|110101199003071234/)
    }
    expect(tasks.json.items.find((x: any) => x.id === id).text).toContain('139****5678')
    expect(detail.json.request).toMatchObject({ reporter: { name: '李阿姨' }, reporterCount: 2 })
    expect(detail.json.request.text).toContain('139****5678')
    expect(detail.json.timeline.find((e: any) => e.type === 'comment').note).toBe('也可以打我家人137****5678')
    // the note is masked in the task; in the timeline, its author sees his own words
    expect(resolved.json.task.resolutionNote).toBe('已修好，物业值班电话136****2222')
    const after = await call('GET', `/api/requests/${id}`, { token: wang.token })
    expect(after.json.timeline.find((e: any) => e.type === 'resolve').note).toBe('已修好，物业值班电话13611112222')
  })

  it('the 书记 sees every number masked', async () => {
    const detail = await call('GET', `/api/requests/${id}`, { token: zhao.token })
    expect(detail.status).toBe(200)
    expect(text(detail)).not.toMatch(PHONE)
    expect(text(detail)).not.toMatch(ID_CARD)
    expect(detail.json.timeline.find((e: any) => e.type === 'resolve').note).toBe('已修好，物业值班电话136****2222')
  })

  it('the co-reporter sees the reporter\'s and the staff\'s numbers masked', async () => {
    const detail = await call('GET', `/api/requests/${id}`, { token: zhang.token })
    expect(detail.status).toBe(200)
    expect(text(detail)).not.toMatch(PHONE)
    expect(detail.json.request.text).toContain('139****5678')
    expect(detail.json.timeline.find((e: any) => e.type === 'resolve').note).toContain('136****2222')
  })

  it('the reporter sees her own words as written, and the staff member\'s number masked', async () => {
    const detail = await call('GET', `/api/requests/${id}`, { token: li.token })
    expect(detail.json.request.text).toContain('13912345678')
    expect(detail.json.timeline.find((e: any) => e.type === 'comment').note).toBe('也可以打我家人13712345678')
    expect(detail.json.timeline.find((e: any) => e.type === 'resolve').note).toBe('已修好，物业值班电话136****2222')
    const me = await call('GET', '/api/me', { token: li.token })
    expect(me.json.phone).toBe('139****5678')
  })

  it('no response carried an openid, a session key or a stack trace', () => {
    expect(seen.length).toBeGreaterThan(10)
    for (const res of seen) {
      expect(res.text).not.toMatch(/openid|session_key|\bat .+:\d+:\d+\)|node_modules/)
      expect(res.text).not.toContain(li.openid)
    }
  })
})
