import { afterAll, beforeAll, expect, it } from 'vitest'
import { In } from 'typeorm'
import { Community, RequestReporter, ServiceRequest } from '../../src/db/entities/index.js'
import { presentRequests } from '../../miniprogram-api/presenters/load.js'
import { startTestApi, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'
import { fileRequest } from '../helpers/fixtures.js'

// GET /api/requests reads its page, assignees, settings and total in one raw statement: it must present exactly
// what the entity presenter (used by every other route) presents for the same rows.
describeEachDb('GET /api/requests: one statement, the same presentation', (kind) => {
  let t: TestApi
  let li: SignedIn
  let ids: number[]
  let closedId: number
  beforeAll(async () => {
    t = await startTestApi(kind)
    li = await t.signIn('李阿姨')
    const neighbour = await t.signIn('张大爷')
    const own = [
      await fileRequest(t.db, t.clock, t.communityId, { reporterId: li.user.id, text: '3号楼楼道灯坏了，我电话13912345678' }),
      await fileRequest(t.db, t.clock, t.communityId, { reporterId: li.user.id, text: '5号楼电梯停了', building: '5', urgency: 'urgent' }),
      await fileRequest(t.db, t.clock, t.communityId, { reporterId: li.user.id, text: '没有楼号的问题', building: null, category: 'suggestion' }),
    ]
    // co-reported on a neighbour's request: the neighbour's numbers are masked for 李阿姨
    const theirs = await fileRequest(t.db, t.clock, t.communityId, { reporterId: neighbour.user.id, text: '9号楼漏水，联系13812345678' , building: '9' })
    await t.db.getRepository(RequestReporter).insert({ requestId: theirs.id, residentId: li.user.id, role: 'co_reporter', source: 'miniprogram', text: null, createdAt: t.clock.now() })
    // one rated and closed, one overdue
    await t.db.getRepository(ServiceRequest).update({ id: own[0]!.id }, { status: 'closed', rating: 'satisfied', resolvedAt: t.clock.now(), closedAt: t.clock.now(), reopenCount: 1 })
    closedId = own[0]!.id
    t.clock.advance(5 * 86400_000)
    li = { ...li, token: (await t.app.deps.tokens.issue({ residentId: li.user.id, staffId: null })).token }
    ids = [...own.map((r) => r.id), theirs.id].sort((a, b) => b - a)
  })
  afterAll(() => t.close())

  it('presents every field as presentRequests does, newest first, masking only others\' words', async () => {
    const res = await t.call('GET', '/api/requests?pageSize=10', { token: li.token })
    expect(res.status).toBe(200)
    const rows = await t.db.getRepository(ServiceRequest).findBy({ id: In(ids) })
    const ordered = ids.map((id) => rows.find((r) => r.id === id)!)
    const expected = await presentRequests(t.db.manager, ordered, { now: t.clock.now(), ownText: (r) => r.reporterResidentId === li.user.id })
    expect(res.json.items).toEqual(JSON.parse(JSON.stringify(expected)))
    expect(res.json.items.map((x: any) => x.id)).toEqual(ids)
    expect(res.json.items.some((x: any) => x.assignee?.name)).toBe(true)
    expect(res.json.items.map((x: any) => x.slaColor)).toContain('red')
    expect(JSON.stringify(res.json.items)).toContain('13912345678')
    expect(JSON.stringify(res.json.items)).not.toContain('13812345678')
    expect(res.json).toMatchObject({ total: 4, page: 1, pageSize: 10, nextCursor: null })
  })

  it('totals hold on every page, past the end, by cursor and with a status filter', async () => {
    const p1 = await t.call('GET', '/api/requests?pageSize=3', { token: li.token })
    expect(p1.json).toMatchObject({ total: 4, nextCursor: ids[2] })
    const after = await t.call('GET', `/api/requests?pageSize=3&cursor=${p1.json.nextCursor}`, { token: li.token })
    expect(after.json.items.map((x: any) => x.id)).toEqual([ids[3]])
    expect(after.json).toMatchObject({ total: 4, page: 1, nextCursor: null })
    const past = await t.call('GET', '/api/requests?pageSize=3&page=5', { token: li.token })
    expect(past.json).toMatchObject({ items: [], total: 4, page: 5 })
    const closed = await t.call('GET', '/api/requests?status=closed', { token: li.token })
    expect(closed.json.items.map((x: any) => x.id)).toEqual([closedId])
    expect(closed.json.total).toBe(1)
    expect(closed.json.items[0]).toMatchObject({ status: 'closed', rating: 'satisfied', ratingName: expect.any(String), reopened: true })
    const open = await t.call('GET', '/api/requests?status=dispatched,accepted&pageSize=1&page=9', { token: li.token })
    expect(open.json).toMatchObject({ items: [], total: 3 })
  })

  it('SLA colours follow a change of the community\'s settings, whichever process made it', async () => {
    const colourOf = async (id: number) => (await t.call('GET', '/api/requests?pageSize=50', { token: li.token })).json.items.find((x: any) => x.id === id).slaColor
    const fresh = await fileRequest(t.db, t.clock, t.communityId, { reporterId: li.user.id, text: '11号楼垃圾没人清', building: '11' })
    await t.db.getRepository(ServiceRequest).update({ id: fresh.id }, { status: 'dispatched', urgency: 'normal', acceptedAt: null, acceptDueAt: new Date(t.clock.now().getTime() + 3 * 3600_000), resolveDueAt: new Date(t.clock.now().getTime() + 30 * 86400_000) })
    expect(await colourOf(fresh.id)).toBe('green')
    const community = await t.db.getRepository(Community).findOneByOrFail({ id: t.communityId })
    // this process (the entity subscriber bumps config_version): 3 hours left of a 24-hour window is yellow
    await t.db.getRepository(Community).save({ ...community, settings: { ...community.settings, sla: { normal: { acceptMs: 24 * 3600_000 } } } })
    expect(await colourOf(fresh.id)).toBe('yellow')
    // another process: the row and its version changed behind this process's cache
    await t.db.query('UPDATE communities SET settings = ?, config_version = config_version + 1 WHERE id = ?', [JSON.stringify({ ...community.settings, sla: {} }), t.communityId])
    expect(await colourOf(fresh.id)).toBe('green')
  })
})
