import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CATEGORIES } from '../../../src/community/taxonomy.js'
import { Grid, Resident, ServiceRequest } from '../../../src/db/entities/index.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { decryptPhone, encryptPhone, hashPhone } from '../../../src/people/phone.js'
import { cancelRequest, mergeRequest, resolveRequest } from '../../../src/requests/index.js'
import { describeEachDb, TEST_KEY } from '../../helpers/db.js'
import { fileRequest, resident, staffNamed, T0 } from '../../helpers/fixtures.js'
import { publicDescription } from '../../../miniprogram-api/presenters/open311.js'
import { OPEN311_KEY, startHarness, type Harness } from '../secretary/harness.js'

const V2 = '/open311/v2'
const HOUR = 3600_000

describeEachDb('Open311 GeoReport v2', (kind) => {
  let h: Harness
  const ids: Record<string, ServiceRequest> = {}

  beforeAll(async () => {
    h = await startHarness(kind)
    const { db, clock, communityId } = h
    const li = await resident(db, communityId, '李阿姨', {
      name: '李秀英', openid: 'oLiXiuYing-openid-xyz', building: '3', unit: '2', room: '502',
      phoneEncrypted: encryptPhone('13911112222', TEST_KEY), phoneMasked: '139****2222', phoneHash: hashPhone('13911112222', TEST_KEY),
    })
    clock.set(new Date(new Date(T0).getTime() - 100 * 24 * HOUR))
    ids.old = await fileRequest(db, clock, communityId, { building: '3', reporterId: li.id, text: '很久以前的报修' })
    clock.set(new Date(T0))
    ids.repair = await fileRequest(db, clock, communityId, { building: '3', reporterId: li.id, text: '3号楼2单元502李秀英：楼道灯坏了，电话13911112222，身份证110101199003071234' })
    ids.elderly = await fileRequest(db, clock, communityId, { building: '5', category: 'elderly_help', reporterId: li.id, text: '5号楼独居的王奶奶85岁摔倒了' })
    ids.env = await fileRequest(db, clock, communityId, { building: 'A', category: 'environment', reporterId: li.id, text: 'A栋垃圾没人清' })
    ids.noBuilding = await fileRequest(db, clock, communityId, { building: null, category: 'suggestion', reporterId: li.id, text: '建议多装几个路灯' })
    ids.cancelled = await fileRequest(db, clock, communityId, { building: '3', reporterId: li.id, text: '撤销的' })
    ids.dup = await fileRequest(db, clock, communityId, { building: '3', reporterId: li.id, text: '重复的楼道灯' })
    clock.advance(HOUR)
    const wang = await staffNamed(db, '王芳')
    const zhang = await staffNamed(db, '张伟')
    await inTransaction(db, (em) => resolveRequest(em, clock, { requestId: ids.env!.id, staff: zhang, channel: 'private', note: '张伟已联系李秀英清理' }))
    await inTransaction(db, (em) => cancelRequest(em, clock, { requestId: ids.cancelled!.id, actor: { type: 'resident', id: li.id }, reason: 'x', channel: 'private' }))
    await inTransaction(db, (em) => mergeRequest(em, clock, { requestId: ids.dup!.id, intoId: ids.repair!.id, actor: { type: 'staff', id: wang.id }, channel: 'private' }))
    clock.advance(HOUR)
  })
  afterAll(() => h.close())

  const get = async (path: string) => {
    const res = await h.call(V2 + path)
    return { status: res.status, body: await res.json() as any, type: res.headers.get('content-type') }
  }
  const post = async (fields: Record<string, string>, as: 'form' | 'json' = 'form') => {
    const res = as === 'form'
      ? await h.call(`${V2}/requests.json`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() })
      : await h.call(`${V2}/requests.json`, { method: 'POST', json: fields })
    return { status: res.status, body: await res.json() as any }
  }
  /** Nothing that identifies a person: phones, ID numbers, resident or staff names, openids, rooms. */
  const expectNoPersonalData = (body: unknown) => {
    const s = JSON.stringify(body)
    expect(s).not.toMatch(/1[3-9]\d{9}/)
    expect(s).not.toContain('110101199003071234')
    for (const word of ['李秀英', '李阿姨', '王芳', '张伟', '赵书记', 'openid', '502', 'phone', 'reporter', 'assignee']) expect(s, word).not.toContain(word)
  }

  it('services.json: our eight categories as realtime services without metadata', async () => {
    const { status, body, type } = await get('/services.json')
    expect(status).toBe(200)
    expect(type).toMatch(/application\/json/)
    expect(body.map((s: any) => s.service_code)).toEqual([...CATEGORIES])
    expect(body[0]).toMatchObject({ service_code: 'repair', service_name: '维修报修', metadata: false, type: 'realtime', group: '物业与设施' })
    for (const s of body) {
      expect(Object.keys(s).sort()).toEqual(['description', 'group', 'keywords', 'metadata', 'service_code', 'service_name', 'type'])
      expect(typeof s.keywords).toBe('string')
      expect(s.description.length).toBeGreaterThan(0)
    }
  })

  it('requests.json: the last 90 days, public fields only, no personal data', async () => {
    const { status, body } = await get('/requests.json')
    expect(status).toBe(200)
    const nos = body.map((r: any) => r.service_request_id)
    expect(nos).toContain(ids.repair!.no)
    expect(nos).not.toContain(ids.old!.no) // 100 days old
    expect(nos).not.toContain(ids.cancelled!.no) // withdrawn
    expect(nos).not.toContain(ids.dup!.no) // merged into another
    const repair = body.find((r: any) => r.service_request_id === ids.repair!.no)
    expect(repair).toMatchObject({
      status: 'open', status_notes: '已派单', service_code: 'repair', service_name: '维修报修', agency_responsible: '第一网格', address: '3号楼',
      requested_datetime: '2026-11-23T09:00:00+08:00', expected_datetime: '2026-11-26T09:00:00+08:00',
    })
    // The reporter's own name and the room are masked; the building stays (it is the address).
    expect(repair.description).toBe('3号楼2单元***李**：楼道灯坏了，电话139****2222，身份证110101********1234')
    // Every GeoReport v2 field of GET requests, by its spec name; the location fields we do not keep are null.
    expect(Object.keys(repair).sort()).toEqual([
      'address', 'address_id', 'agency_responsible', 'description', 'expected_datetime', 'lat', 'long', 'media_url', 'requested_datetime',
      'service_code', 'service_name', 'service_notice', 'service_request_id', 'status', 'status_notes', 'updated_datetime', 'zipcode',
    ])
    expect(repair).toMatchObject({ address_id: null, zipcode: null, lat: null, long: null, media_url: null })
    const env = body.find((r: any) => r.service_request_id === ids.env!.no)
    expect(env).toMatchObject({ status: 'closed', status_notes: '已办结', address: 'A栋', agency_responsible: '第三网格', expected_datetime: null })
    const elderly = body.find((r: any) => r.service_request_id === ids.elderly!.no)
    expect(elderly.description).not.toContain('王奶奶')
    const none = body.find((r: any) => r.service_request_id === ids.noBuilding!.no)
    expect(none).toMatchObject({ address: null, agency_responsible: '幸福里社区' })
    expectNoPersonalData(body)
  })

  it('requests.json: filters by service_code, status, dates and ids', async () => {
    const codes = (await get('/requests.json?service_code=environment,elderly_help')).body.map((r: any) => r.service_code)
    expect(new Set(codes)).toEqual(new Set(['environment', 'elderly_help']))
    const closed = (await get('/requests.json?status=closed')).body
    expect(closed.map((r: any) => r.service_request_id)).toEqual([ids.env!.no])
    const open = (await get('/requests.json?status=open&service_code=repair')).body
    expect(open.every((r: any) => r.status === 'open' && r.service_code === 'repair')).toBe(true)
    const old = (await get('/requests.json?start_date=2026-08-01&end_date=2026-08-31')).body
    expect(old.map((r: any) => r.service_request_id)).toEqual([ids.old!.no])
    const byTime = (await get(`/requests.json?start_date=${encodeURIComponent('2026-11-23T08:59:00+08:00')}&end_date=${encodeURIComponent('2026-11-23T09:01:00+08:00')}`)).body
    expect(byTime.length).toBeGreaterThanOrEqual(4)
    const byId = (await get(`/requests.json?service_request_id=${ids.old!.no},${ids.dup!.no}`)).body
    expect(byId.map((r: any) => r.service_request_id).sort()).toEqual([ids.old!.no, ids.dup!.no].sort())
    expect(byId.find((r: any) => r.service_request_id === ids.dup!.no)).toMatchObject({ status: 'closed', status_notes: `已合并：已并入工单 ${ids.repair!.no}` })
  })

  it('requests.json: bad parameters are 400 with the spec\'s error array', async () => {
    for (const q of ['status=pending', 'service_code=plumbing', 'start_date=yesterday', 'start_date=2026-01-01&end_date=2026-11-01', 'start_date=2026-11-02&end_date=2026-11-01', 'jurisdiction_id=nowhere']) {
      const { status, body } = await get(`/requests.json?${q}`)
      expect([400, 404], q).toContain(status)
      expect(Array.isArray(body), q).toBe(true)
      expect(body[0]).toEqual({ code: status, description: expect.any(String) })
    }
  })

  it('requests/{id}.json: one-item array; unknown ids are an Open311 404', async () => {
    const { status, body } = await get(`/requests/${ids.repair!.no}.json`)
    expect(status).toBe(200)
    expect(body).toHaveLength(1)
    expect(body[0].service_request_id).toBe(ids.repair!.no)
    expectNoPersonalData(body)
    const cancelled = await get(`/requests/${ids.cancelled!.no}.json`)
    expect(cancelled.body[0]).toMatchObject({ status: 'closed', status_notes: '已撤销' })
    const missing = await get('/requests/999999.json')
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual([{ code: 404, description: expect.stringContaining('999999') }])
    const xml = await get(`/requests/${ids.repair!.no}.xml`)
    expect(xml.status).toBe(404)
    expect(xml.body[0].code).toBe(404)
  })

  it('POST requests.json needs the api key: missing or wrong is a 403 and files nothing', async () => {
    const before = await h.db.getRepository(ServiceRequest).count()
    const fields = { service_code: 'repair', description: '4号楼电梯坏了', address_string: '4号楼' }
    for (const key of [undefined, '', 'wrong-key']) {
      const { status, body } = await post(key === undefined ? fields : { ...fields, api_key: key })
      expect(status).toBe(403)
      expect(body).toEqual([{ code: 403, description: expect.stringContaining('api_key') }])
    }
    expect(await h.db.getRepository(ServiceRequest).count()).toBe(before)
  })

  it('POST requests.json files through intake, routed by the building in address_string', async () => {
    const { status, body } = await post({ api_key: OPEN311_KEY, service_code: 'repair', description: '电梯困人了，请尽快处理', address_string: '幸福里社区4号楼', first_name: '建国', last_name: '张', phone: '13722223333' })
    expect(status).toBe(200)
    expect(body).toEqual([{ service_request_id: expect.any(String), service_notice: expect.stringContaining('已受理'), account_id: null }])
    const r = await h.db.getRepository(ServiceRequest).findOneByOrFail({ communityId: h.communityId, no: body[0].service_request_id })
    const liu = await staffNamed(h.db, '刘强')
    const second = await h.db.getRepository(Grid).findOneByOrFail({ communityId: h.communityId, name: '第二网格' })
    expect(r).toMatchObject({ source: 'open311', building: '4', status: 'dispatched', assigneeStaffId: liu.id, gridId: second.id })
    // The caller is a resident found by phone: stored encrypted and masked, never in clear.
    const reporter = await h.db.getRepository(Resident).findOneByOrFail({ id: r.reporterResidentId! })
    expect(reporter).toMatchObject({ name: '张建国', phoneMasked: '137****3333', wechatName: null, openid: null })
    expect(decryptPhone(reporter.phoneEncrypted!, TEST_KEY)).toBe('13722223333')
    // The platform reads it back, without the personal data it sent.
    const back = await get(`/requests/${body[0].service_request_id}.json`)
    expect(back.body[0]).toMatchObject({ service_code: 'repair', address: '4号楼', agency_responsible: '第二网格', status: 'open' })
    expect(JSON.stringify(back.body)).not.toMatch(/13722223333|张建国/)
  })

  it('POST: JSON bodies work; the same caller (by phone or email) is one resident; others share the platform resident', async () => {
    const a = await post({ api_key: OPEN311_KEY, service_code: 'environment', description: '9号楼门口垃圾堆积', email: 'citizen@example.com' }, 'json')
    const b = await post({ api_key: OPEN311_KEY, service_code: 'suggestion', description: '希望增加休息座椅', email: 'Citizen@Example.com' }, 'json')
    const c = await post({ api_key: OPEN311_KEY, service_code: 'consultation', description: '请问怎么办理居住证明' })
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200])
    const rows = await Promise.all([a, b, c].map((x) => h.db.getRepository(ServiceRequest).findOneByOrFail({ communityId: h.communityId, no: x.body[0].service_request_id })))
    expect(rows[0]!.reporterResidentId).toBe(rows[1]!.reporterResidentId)
    expect(rows[2]!.reporterResidentId).not.toBe(rows[0]!.reporterResidentId)
    const platform = await h.db.getRepository(Resident).findOneByOrFail({ id: rows[2]!.reporterResidentId! })
    expect(platform.name).toBe('城市服务平台')
    const emailResident = await h.db.getRepository(Resident).findOneByOrFail({ id: rows[0]!.reporterResidentId! })
    expect(JSON.stringify(emailResident)).not.toContain('example.com')
  })

  it('POST: bad input is a 400 error array, never a 500', async () => {
    const cases: Record<string, string>[] = [
      { api_key: OPEN311_KEY, description: '缺少 service_code' },
      { api_key: OPEN311_KEY, service_code: 'plumbing', description: 'x' },
      { api_key: OPEN311_KEY, service_code: 'repair' },
      { api_key: OPEN311_KEY, service_code: 'repair', description: '   ' },
      { api_key: OPEN311_KEY, service_code: 'repair', description: 'x'.repeat(20_001) },
      { api_key: OPEN311_KEY, service_code: 'repair', description: 'ok', email: 'not-an-email' },
      { api_key: OPEN311_KEY, service_code: 'repair', description: 'ok', jurisdiction_id: 'atlantis' },
    ]
    for (const fields of cases) {
      const { status, body } = await post(fields)
      expect([400, 404], JSON.stringify(fields).slice(0, 80)).toContain(status)
      expect(body[0]).toEqual({ code: status, description: expect.any(String) })
    }
    const badJson = await h.call(`${V2}/requests.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"api_key":' })
    // Malformed JSON is refused by the body parser before the Open311 routes run: still in Open311's format.
    expect(badJson.status).toBe(400)
    expect(await badJson.json()).toEqual([{ code: 400, description: expect.any(String) }])
    const wrongType = await h.call(`${V2}/requests.json`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' })
    expect(wrongType.status).toBeLessThan(500)
    if (wrongType.status >= 400) expect((await wrongType.json() as any)[0]).toEqual({ code: wrongType.status, description: expect.any(String) })
    const huge = await h.call(`${V2}/requests.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ description: 'x'.repeat(200_000) }) })
    expect(huge.status).toBe(413)
    expect(await huge.json()).toEqual([{ code: 413, description: expect.any(String) }])
  })

  it('POST: fuzzed form bodies never produce a 500', async () => {
    const field = fc.constantFrom('api_key', 'service_code', 'description', 'address_string', 'email', 'phone', 'jurisdiction_id', 'lat', 'first_name', 'attribute[x]')
    await fc.assert(fc.asyncProperty(fc.dictionary(field, fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(OPEN311_KEY, 'repair', '3号楼', '13800000000', '\u0000', '%zz')), { maxKeys: 8 }), async (fields) => {
      const res = await post(fields)
      expect(res.status).toBeLessThan(500)
      expect(Array.isArray(res.body)).toBe(true)
    }), { numRuns: 40 })
  })
})

describe('publicDescription', () => {
  it('masks phones, ID numbers, the given names and room numbers, and keeps buildings', () => {
    expect(publicDescription('我是张三，住6-2-301，电话 138 0000 1234', ['张三'])).toBe('我是张*，住6-*-***，电话 138 **** 1234')
    expect(publicDescription('12栋1703室漏水，B座2单元401也漏', [])).toBe('12栋***室漏水，B座2单元***也漏')
    expect(publicDescription('小区东门路灯不亮', ['阿', '东门'])).toBe('小区东*路灯不亮')
  })
})

describe('Open311 without a configured api key', () => {
  let h: Harness
  beforeAll(async () => { h = await startHarness('sqlite', { env: { OPEN311_API_KEY: '' } }) })
  afterAll(() => h.close())

  it('refuses every POST with 403 but still serves the public GETs', async () => {
    const res = await h.call(`${V2}/requests.json`, { method: 'POST', json: { api_key: 'anything', service_code: 'repair', description: 'x' } })
    expect(res.status).toBe(403)
    expect((await res.json() as any)[0].description).toMatch(/disabled/)
    expect((await h.call(`${V2}/services.json`)).status).toBe(200)
    expect((await h.call(`${V2}/requests.json`)).status).toBe(200)
  })
})

describe('Open311 write rate limit', () => {
  let h: Harness
  beforeAll(async () => { h = await startHarness('sqlite', { env: { RATE_LIMIT_WRITES_PER_IP: '2' } }) })
  afterAll(() => h.close())

  it('limits POSTs per client IP with an Open311 429', async () => {
    const send = () => h.call(`${V2}/requests.json`, { method: 'POST', json: { api_key: OPEN311_KEY, service_code: 'repair', description: '6号楼单元门坏了' } })
    expect((await send()).status).toBe(200)
    expect((await send()).status).toBe(200)
    const third = await send()
    expect(third.status).toBe(429)
    expect((await third.json() as any)[0].code).toBe(429)
  })
})
