import { readFile } from 'node:fs/promises'
import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { importCommunity, parseCommunityFile } from '../../../src/community/import.js'
import { Building, ChatRoom, Community, Grid, Staff } from '../../../src/db/entities/index.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { redeemBindCode } from '../../../src/people/staffIdentity.js'
import { describeEachDb, TEST_KEY } from '../../helpers/db.js'
import { OTHER_COMMUNITY_YAML, startHarness, type Harness } from './harness.js'

describeEachDb('secretary API: management and re-import', (kind) => {
  let h: Harness, token: string, otherToken: string, sample: string
  beforeAll(async () => {
    h = await startHarness(kind)
    await importCommunity(h.db, parseCommunityFile(OTHER_COMMUNITY_YAML), { encryptionKey: TEST_KEY })
    token = await h.staffToken('赵书记')
    otherToken = await h.staffToken('钱书记')
    sample = await readFile('examples/community.yaml', 'utf8')
  })
  afterAll(() => h.close())
  const call = async (method: string, path: string, json?: unknown, t = token) => {
    const res = await h.call(path, { method, token: t, json })
    return { status: res.status, body: await res.json() as any }
  }

  it('lists grids, buildings, staff and rooms of the 书记\'s community only, staff phones masked', async () => {
    const grids = await call('GET', '/api/admin/grids')
    expect(grids.status).toBe(200)
    expect(grids.body.items.map((g: any) => g.name)).toEqual(['第一网格', '第二网格', '第三网格'])
    expect(grids.body.items[0]).toMatchObject({ leader: { name: '王芳' }, deputy: { name: '孙丽' }, buildings: ['1', '2', '3'], rooms: ['幸福里3号楼业主群'] })
    const staff = await call('GET', '/api/admin/staff')
    expect(staff.body.items.find((s: any) => s.wechat === '王芳')).toMatchObject({ role: 'grid_leader', phone: '138****0001', leads: ['第一网格'] })
    expect(JSON.stringify(staff.body)).not.toMatch(/1[3-9]\d{9}|phoneHash/)
    expect(JSON.stringify(staff.body)).not.toContain('钱书记')
    const buildings = await call('GET', '/api/admin/buildings')
    expect(buildings.body.items.map((b: any) => b.code)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', 'A', 'B'])
    const rooms = await call('GET', '/api/admin/rooms')
    expect(rooms.body.items.map((r: any) => [r.topic, r.grid?.name ?? null])).toEqual([['幸福里3号楼业主群', '第一网格'], ['幸福里5号楼业主群', '第二网格'], ['幸福里业主大群', null]])
  })

  it('issues a one-time WeChat 认证 code for a staff member of the own community only; the code binds once', async () => {
    const wang = await h.db.getRepository(Staff).findOneByOrFail({ wechat: '王芳' })
    const issued = await call('POST', `/api/admin/staff/${wang.id}/bind-code`)
    expect(issued.status).toBe(201)
    expect(issued.body).toMatchObject({ staffId: wang.id, name: '王芳', code: expect.stringMatching(/^\d{6}$/), expiresAt: expect.any(String) })
    const again = await call('POST', `/api/admin/staff/${wang.id}/bind-code`)
    expect(again.body.code).toMatch(/^\d{6}$/)
    // only the latest code works
    const redeem = (code: string) => inTransaction(h.db, (em) => redeemBindCode(em, h.clock, { code, contactId: 'wxid-wang-admin-test', recentFailures: 0 }))
    if (again.body.code !== issued.body.code) await expect(redeem(issued.body.code)).rejects.toThrow(/认证码不正确或已失效/)
    expect((await redeem(again.body.code)).staff.id).toBe(wang.id)
    await expect(redeem(again.body.code)).rejects.toThrow(/认证码不正确或已失效/)
    expect((await call('GET', '/api/admin/staff')).body.items.find((s: any) => s.id === wang.id).wechatBound).toBe(true)
    // another community's 书记 cannot issue one for her
    expect((await call('POST', `/api/admin/staff/${wang.id}/bind-code`, undefined, otherToken)).status).toBe(404)
  })

  it('creates, changes and deactivates, with 400 for bad input and 409 for conflicts', async () => {
    const created = await call('POST', '/api/admin/staff', { name: '李娜', wechat: '李娜', role: 'grid_leader', phone: '13800000099' })
    expect(created.status).toBe(201)
    expect(created.body.staff).toMatchObject({ name: '李娜', phone: '138****0099', active: true })
    const li = created.body.staff.id
    const grid = await call('POST', '/api/admin/grids', { name: '第四网格', leaderStaffId: li, buildings: ['13', 'c'] })
    expect(grid.status).toBe(201)
    expect(grid.body.grid).toMatchObject({ name: '第四网格', leader: { id: li }, buildings: ['13', 'C'] })
    const gridId = grid.body.grid.id

    const moved = await call('PATCH', `/api/admin/grids/${gridId}`, { buildings: ['13', 'C', '12'], name: '第四网格（新）' })
    expect(moved.status).toBe(200)
    expect(moved.body.grid.buildings).toEqual(['12', '13', 'C'])
    expect(moved.body.items.find((g: any) => g.name === '第三网格').buildings).not.toContain('12')

    const room = await call('POST', '/api/admin/rooms', { topic: '幸福里13号楼群', gridId })
    expect(room.status).toBe(201)
    const building = await call('POST', '/api/admin/buildings', { code: 'D' })
    expect(building.body.building).toMatchObject({ code: 'D', grid: null })
    expect((await call('PATCH', `/api/admin/buildings/${building.body.building.id}`, { gridId })).body.building.grid.id).toBe(gridId)

    // Bad input: 400 naming the field; never a 500.
    for (const [method, path, body] of [
      ['POST', '/api/admin/staff', { name: '', wechat: 'x', role: 'grid_leader' }],
      ['POST', '/api/admin/staff', { name: 'x', wechat: 'x', role: 'boss' }],
      ['POST', '/api/admin/staff', { name: 'x', wechat: 'x', role: 'mediator', phone: 'call me' }],
      ['POST', '/api/admin/grids', { name: '第五网格', leaderStaffId: 'one' }],
      ['POST', '/api/admin/grids', { name: '第五网格', leaderStaffId: 999999 }],
      ['POST', '/api/admin/grids', { name: '第五网格', leaderStaffId: (await h.db.getRepository(Staff).findOneByOrFail({ wechat: '陈明' })).id }],
      ['PATCH', `/api/admin/grids/${gridId}`, { unknown: true }],
      ['PATCH', `/api/admin/buildings/${building.body.building.id}`, { gridId: 'x' }],
      ['POST', '/api/admin/rooms', { topic: 'x'.repeat(500) }],
      ['POST', '/api/admin/buildings', []],
    ] as const) {
      const res = await call(method, path, body)
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400)
      expect(res.body.error.code).toBe('validation_failed')
    }
    const conflicts: [string, string, unknown, string][] = [
      ['POST', '/api/admin/staff', { name: '另一个王芳', wechat: '王芳', role: 'mediator' }, 'staff_wechat_taken'],
      ['POST', '/api/admin/grids', { name: '第一网格', leaderStaffId: li }, 'grid_name_taken'],
      ['POST', '/api/admin/buildings', { code: 3 }, 'building_exists'],
      ['POST', `/api/admin/staff/${li}/deactivate`, {}, 'staff_leads_grid'],
      ['DELETE', `/api/admin/rooms/999999`, undefined, 'room_not_found'],
    ]
    for (const [method, path, body, code] of conflicts) {
      const res = await call(method, path, body)
      expect(res.body.error.code, `${method} ${path}`).toBe(code)
      expect([404, 409]).toContain(res.status)
    }

    const deactivated = await call('POST', `/api/admin/grids/${gridId}/deactivate`, {})
    expect(deactivated.body).toMatchObject({ releasedBuildings: 4, releasedRooms: 1 })
    const zhou = await h.db.getRepository(Staff).findOneByOrFail({ wechat: '周敏' })
    const off = await call('POST', `/api/admin/staff/${zhou.id}/deactivate`, {})
    expect(off.status).toBe(200)
    expect(off.body).toMatchObject({ staff: { active: false }, openTasks: 0 })
    const deleted = await call('DELETE', `/api/admin/rooms/${room.body.room.id}`)
    expect(deleted.status).toBe(200)
    expect(await h.db.getRepository(ChatRoom).findOneBy({ id: room.body.room.id })).toBeNull()
  })

  it('never reaches into another community', async () => {
    const other = await h.db.getRepository(Community).findOneByOrFail({ name: '和平里社区' })
    const otherGrid = await h.db.getRepository(Grid).findOneByOrFail({ communityId: other.id })
    const sun = await h.db.getRepository(Staff).findOneByOrFail({ wechat: '孙强' })
    expect((await call('PATCH', `/api/admin/grids/${otherGrid.id}`, { name: '被改了' })).status).toBe(404)
    expect((await call('POST', `/api/admin/staff/${sun.id}/deactivate`, {})).status).toBe(404)
    // Nor may another community's person lead one of ours.
    const mine = await h.db.getRepository(Grid).findOneByOrFail({ communityId: h.communityId, name: '第一网格' })
    expect((await call('PATCH', `/api/admin/grids/${mine.id}`, { leaderStaffId: sun.id })).status).toBe(400)
    expect((await h.db.getRepository(Grid).findOneByOrFail({ id: otherGrid.id })).name).toBe('和平一网格')
    expect((await h.db.getRepository(Staff).findOneByOrFail({ id: sun.id })).active).toBe(true)
  })

  it('re-import: the YAML restores the file\'s community, and a second run changes nothing', async () => {
    const res = await h.call('/api/admin/import', { method: 'POST', token, headers: { 'content-type': 'text/yaml' }, body: sample })
    const body = await res.json() as any
    expect(res.status).toBe(200)
    expect(body.summary.communityId).toBe(h.communityId)
    // 李娜 (added above, not in the file) is deactivated; 周敏 is back; building 12 is back in 第三网格.
    expect((await h.db.getRepository(Staff).findOneByOrFail({ wechat: '李娜' })).active).toBe(false)
    expect((await h.db.getRepository(Staff).findOneByOrFail({ wechat: '周敏' })).active).toBe(true)
    const third = await h.db.getRepository(Grid).findOneByOrFail({ communityId: h.communityId, name: '第三网格' })
    expect((await h.db.getRepository(Building).findOneByOrFail({ communityId: h.communityId, code: '12' })).gridId).toBe(third.id)
    const again = await call('POST', '/api/admin/import', { yaml: sample })
    expect(again.status).toBe(200)
    expect(again.body.summary).toMatchObject({ created: 0, updated: 0, deactivated: 0 })
  })

  it('re-import: an invalid file is a 400 listing each problem with its line, and changes nothing', async () => {
    const bad = sample
      .replace('urgent: { accept: PT15M, resolve: PT2H }', 'urgent: { accept: 15 minutes, resolve: PT2H }')
      .replace('{ topic: 幸福里5号楼业主群, grid: 第二网格 }', '{ topic: 幸福里5号楼业主群, grid: 第九网格 }')
      .replace('buildings: ["4", "5", "6", "7"]', 'buildings: ["3", "5", "6", "7"]')
    const res = await h.call('/api/admin/import', { method: 'POST', token, headers: { 'content-type': 'text/yaml; charset=utf-8' }, body: bad })
    const body = await res.json() as any
    expect(res.status).toBe(400)
    expect(body.error.code).toBe('invalid_community_file')
    const problems: string[] = body.error.details.problems
    expect(problems).toHaveLength(3)
    expect(problems.find((p) => p.includes('sla.urgent.accept'))).toMatch(/:\d+:\d+: .*ISO-8601 duration/)
    expect(problems.find((p) => p.includes('rooms[1].grid'))).toMatch(/unknown grid "第九网格"/)
    expect(problems.find((p) => p.includes('grids[1].buildings[0]'))).toMatch(/building "3" already belongs to grid "第一网格"/)

    const syntax = await call('POST', '/api/admin/import', { yaml: 'community: [unclosed' })
    expect(syntax.status).toBe(400)
    expect(syntax.body.error.details.problems[0]).toMatch(/YAML syntax error/)
    const wrongShape = await call('POST', '/api/admin/import', { notYaml: 1 })
    expect(wrongShape.status).toBe(400)
    const empty = await h.call('/api/admin/import', { method: 'POST', token, headers: { 'content-type': 'text/yaml' }, body: '' })
    expect(empty.status).toBe(400)
    const huge = await h.call('/api/admin/import', { method: 'POST', token, headers: { 'content-type': 'text/yaml' }, body: `# ${'x'.repeat(300 * 1024)}\n${sample}` })
    expect(huge.status).toBe(413)
    // An alias bomb ("billion laughs", 9^8 strings from a few hundred bytes) is refused as an invalid file, not a 500.
    const levels = 'abcdefgh'.split('')
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x]\n${levels.slice(1).map((l, i) => `${l}: &${l} [${Array(9).fill(`*${levels[i]}`).join(', ')}]`).join('\n')}\n`
    const boom = await call('POST', '/api/admin/import', { yaml: bomb })
    expect(boom.status).toBe(400)
    expect(boom.body.error.code).toBe('invalid_community_file')
    // The file's own rules still hold: unchanged after all that.
    const fourth = await h.db.getRepository(Building).findOneByOrFail({ communityId: h.communityId, code: '4' })
    expect(fourth.gridId).not.toBeNull()
  })

  it('fuzzed bodies to the management and import endpoints never produce a 500', async () => {
    const value = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), fc.constantFrom('3', 'grid_leader', 'secretary', '13800000001', 1, 2, 3))
    const body = fc.dictionary(fc.constantFrom('name', 'wechat', 'role', 'phone', 'active', 'leaderStaffId', 'deputyStaffId', 'buildings', 'code', 'gridId', 'topic', 'yaml'), value, { maxKeys: 5 })
    const target = fc.constantFrom(
      ['POST', '/api/admin/staff'], ['PATCH', '/api/admin/staff/2'], ['POST', '/api/admin/grids'], ['PATCH', '/api/admin/grids/1'],
      ['POST', '/api/admin/buildings'], ['PATCH', '/api/admin/buildings/1'], ['POST', '/api/admin/rooms'], ['PATCH', '/api/admin/rooms/1'],
      ['POST', '/api/admin/import'], ['POST', '/api/triage/1'],
    )
    await fc.assert(fc.asyncProperty(target, body, async ([method, path], json) => {
      const res = await h.call(path, { method, token, json })
      expect(res.status, `${method} ${path} ${JSON.stringify(json)}`).toBeLessThan(500)
    }), { numRuns: 60 })
    // The sample community is still intact enough to re-import cleanly.
    expect((await call('POST', '/api/admin/import', { yaml: sample })).status).toBe(200)
  })

  it('the OpenAPI document lists the 书记\'s and Open311 routes', async () => {
    const doc = await (await h.call('/api/openapi.json')).json() as any
    for (const path of ['/api/dashboard', '/api/digests/{id}', '/digests/{id}', '/api/triage/{id}', '/api/requests.csv', '/api/admin/grids/{id}', '/api/admin/import', '/open311/v2/requests.json', '/open311/v2/requests/{id}.json']) {
      expect(doc.paths[path], path).toBeDefined()
    }
    expect(Object.keys(doc.paths['/api/admin/staff/{id}'].patch.requestBody.content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['role', 'active', 'phone']))
  })

  it('re-import: a file for another community is refused (the 书记 manages only their own)', async () => {
    const res = await call('POST', '/api/admin/import', { yaml: OTHER_COMMUNITY_YAML.replace('钱书记, wechat: 钱书记', '赵书记, wechat: 赵书记') })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('community_mismatch')
    const created = await call('POST', '/api/admin/import', { yaml: sample.replace('community: 幸福里社区', 'community: 新社区') }, otherToken)
    expect(created.status).toBe(403)
    expect(await h.db.getRepository(Community).findOneBy({ name: '新社区' })).toBeNull()
  })
})

describeEachDb('secretary API: write rate limit', (kind) => {
  let h: Harness
  beforeAll(async () => { h = await startHarness(kind, { env: { RATE_LIMIT_WRITES_PER_USER: '3', RATE_LIMIT_WRITES_PER_IP: '100' } }) })
  afterAll(() => h.close())

  it('a 书记 making too many writes a minute gets 429 with Retry-After, and may write again a minute later', async () => {
    const token = await h.staffToken('赵书记')
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await h.call('/api/admin/buildings', { method: 'POST', token, json: { code: `Z${i}` } })).status)
    expect(statuses).toEqual([201, 201, 201, 429])
    const limited = await h.call('/api/admin/buildings', { method: 'POST', token, json: { code: 'Z9' } })
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(await h.db.getRepository(Building).countBy({ communityId: h.communityId, code: 'Z9' })).toBe(0)
    // Reads are not limited.
    expect((await h.call('/api/admin/buildings', { token })).status).toBe(200)
    h.clock.advance(61_000)
    expect((await h.call('/api/admin/buildings', { method: 'POST', token, json: { code: 'Z9' } })).status).toBe(201)
  })
})
