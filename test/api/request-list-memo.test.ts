import { afterAll, beforeAll, expect, it } from 'vitest'
import { ServiceRequest, Staff } from '../../src/db/entities/index.js'
import { readMyRequests } from '../../miniprogram-api/routes/requests/list.js'
import { myRequestsJson } from '../../miniprogram-api/routes/requests/listBody.js'
import { startTestApi, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'
import { fileRequest } from '../helpers/fixtures.js'

// GET /api/requests answers a page whose rows and SLA colours are unchanged with the JSON it presented last
// (myRequestsJson): it must never answer with what is no longer true.
describeEachDb('GET /api/requests: a page presented again only while nothing in it changed', (kind) => {
  let t: TestApi
  let li: SignedIn
  let requestId: number
  const list = async () => {
    li = { ...li, token: (await t.app.deps.tokens.issue({ residentId: li.user.id, staffId: null })).token } // valid at the clock's time
    const res = await t.call('GET', '/api/requests?pageSize=5', { token: li.token })
    expect(res.status).toBe(200)
    return res.json.items.find((x: any) => x.id === requestId)
  }
  beforeAll(async () => {
    t = await startTestApi(kind)
    li = await t.signIn('李阿姨')
    requestId = (await fileRequest(t.db, t.clock, t.communityId, { reporterId: li.user.id, text: '3号楼楼道灯坏了' })).id
  })
  afterAll(() => t.close())

  it('a page equal to the last one is answered without being hydrated again', async () => {
    const query = { caller: { residentId: li.user.id, staffId: null }, page: 1, pageSize: 5 }
    const page = await readMyRequests(t.db, query)
    const json = await myRequestsJson(t.db, query, page, t.clock.now())
    expect(JSON.parse(json).items.map((x: any) => x.id)).toEqual([requestId])
    // the same values, with no column positions: hydrating them would throw
    const again = { ...page, rows: page.rows.map((r) => [...r]), at: new Map() }
    expect(await myRequestsJson(t.db, query, again, t.clock.now())).toBe(json)
    // a changed value is presented afresh
    const changed = { ...again, rows: again.rows.map((r) => r.map((v) => (v === '3' ? '4' : v))) }
    await expect(myRequestsJson(t.db, query, changed, t.clock.now())).rejects.toThrow(/no column/)
  })

  it('shows any change another process made to the request, its assignee or its reporters', async () => {
    expect(await list()).toMatchObject({ status: 'dispatched', building: '3' })
    await t.db.query('UPDATE requests SET building = ? WHERE id = ?', ['5', requestId])
    expect(await list()).toMatchObject({ building: '5' })
    const request = await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: requestId })
    const assignee = await t.db.getRepository(Staff).findOneByOrFail({ id: request.assigneeStaffId! })
    await t.db.query('UPDATE staff SET name = ? WHERE id = ?', ['王芳芳', assignee.id])
    try {
      expect((await list()).assignee).toEqual({ name: '王芳芳' })
    } finally {
      await t.db.query('UPDATE staff SET name = ? WHERE id = ?', [assignee.name, assignee.id])
    }
    const neighbour = await t.signIn('张大爷')
    await t.db.query("INSERT INTO request_reporters (request_id, resident_id, role, source, text, created_at) VALUES (?, ?, 'co_reporter', 'miniprogram', NULL, ?)",
      [requestId, neighbour.user.id, t.clock.now().toISOString().replace('T', ' ').replace('Z', '')])
    const res = await t.call('GET', '/api/requests?pageSize=5', { token: neighbour.token })
    expect(res.json.total).toBe(1)
  })

  it('colours follow the clock with no change in the database', async () => {
    const request = await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: requestId })
    expect(await list()).toMatchObject({ slaColor: 'green' })
    t.clock.set(new Date(request.acceptDueAt!.getTime() - 30 * 60_000))
    expect(await list()).toMatchObject({ slaColor: 'yellow' })
    t.clock.set(new Date(request.resolveDueAt!.getTime() + 60_000))
    expect(await list()).toMatchObject({ slaColor: 'red' })
  })
})
