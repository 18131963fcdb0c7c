import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { fileRequest } from '../helpers/fixtures.js'
import { startTestApi, type ApiResponse, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'

/** What a client may throw at us: any JSON, valid-looking bodies with one field gone wrong, odd strings. */
const weirdString = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff\ud800', '😀'.repeat(30), '3号楼', '１２', '-1', '1e309', 'NaN', 'null', '__proto__', '{"a":1}', '<script>', "' OR 1=1 --", '%00', '漏'.repeat(2100)),
)
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  weirdString,
  fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  fc.constantFrom(-1, 0, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, 1.5),
  fc.array(fc.oneof(fc.integer(), weirdString), { maxLength: 12 }),
  fc.dictionary(weirdString, fc.oneof(fc.integer(), weirdString), { maxKeys: 4 }),
)

/** A body shaped like the endpoint's with each field either plausible or weird, plus stray keys. */
const bodyLike = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.oneof(
    fc.record(Object.fromEntries(Object.entries(fields).map(([k, good]) => [k, fc.oneof(good, weirdValue)])), { requiredKeys: [] }),
    fc.record({ ...Object.fromEntries(Object.entries(fields).map(([k, good]) => [k, good])), __proto__: weirdValue, constructor: weirdValue } as Record<string, fc.Arbitrary<unknown>>, { requiredKeys: [] }),
    fc.jsonValue({ maxDepth: 3 }),
    weirdValue,
  )

const RUNS = 40

describeEachDb('fuzzed request bodies never produce a 500', (kind) => {
  let t: TestApi
  let resident: SignedIn, leader: SignedIn
  let requestId: number
  const seen = new Set<number>()

  beforeAll(async () => {
    t = await startTestApi(kind, { env: { RATE_LIMIT_WRITES_PER_USER: '1000000', RATE_LIMIT_WRITES_PER_IP: '1000000' } })
    resident = await t.signIn('李阿姨')
    leader = await t.signIn('王芳', { phone: '13800000001' })
    requestId = (await fileRequest(t.db, t.clock, t.communityId, { reporterId: resident.user.id, text: '3号楼楼道灯坏了' })).id
  })
  afterAll(() => t.close())

  const check = (res: ApiResponse, what: string) => {
    seen.add(res.status)
    expect(res.status, `${what} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500)
    if (res.status >= 400) {
      expect(res.json?.error?.code, `${what}: error shape`).toEqual(expect.any(String))
      expect(res.json.error.message).toEqual(expect.any(String))
    }
  }

  const endpoints: { method: string; path: () => string; token: () => string; body: () => fc.Arbitrary<unknown> }[] = [
    { method: 'POST', path: () => '/api/auth/login', token: () => '', body: () => bodyLike({ code: fc.constantFrom('x', 'login-1') }) },
    { method: 'POST', path: () => '/api/auth/phone', token: () => resident.token, body: () => bodyLike({ code: fc.constantFrom('x', 'phone-1') }) },
    { method: 'POST', path: () => '/api/auth/refresh', token: () => '', body: () => bodyLike({ refreshToken: fc.constantFrom(resident.refreshToken, 'abc.def.ghi') }) },
    {
      method: 'PUT', path: () => '/api/me', token: () => resident.token,
      body: () => bodyLike({ name: fc.string({ maxLength: 10 }), building: fc.constantFrom('3', '3号楼', 3, 'B座', '99'), unit: fc.constantFrom('1', 2), room: fc.constantFrom('301', 502), communityId: fc.constantFrom(1, '1', 2), subscribeAllowed: fc.boolean() }),
    },
    {
      method: 'POST', path: () => '/api/requests', token: () => resident.token,
      body: () => bodyLike({ text: fc.constantFrom('楼道灯坏了', '3号楼电梯坏了', '你好'), building: fc.constantFrom('3', 5, 'A'), category: fc.constantFrom('repair', 'other', 'safety'), photos: fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 10 }) }),
    },
    { method: 'POST', path: () => `/api/requests/${requestId}/comments`, token: () => resident.token, body: () => bodyLike({ text: fc.string({ maxLength: 20 }), photos: fc.array(fc.nat(), { maxLength: 3 }) }) },
    { method: 'POST', path: () => `/api/requests/${requestId}/rating`, token: () => resident.token, body: () => bodyLike({ solved: fc.boolean(), rating: fc.constantFrom('satisfied', 'unsatisfied', 'basically_satisfied'), words: fc.string({ maxLength: 20 }) }) },
    { method: 'POST', path: () => `/api/tasks/${requestId}/accept`, token: () => leader.token, body: () => bodyLike({}) },
    { method: 'POST', path: () => `/api/tasks/${requestId}/resolve`, token: () => leader.token, body: () => bodyLike({ note: fc.string({ maxLength: 20 }), photos: fc.array(fc.nat(), { maxLength: 3 }) }) },
    { method: 'POST', path: () => `/api/tasks/${requestId}/return`, token: () => leader.token, body: () => bodyLike({ reason: fc.string({ maxLength: 20 }) }) },
    { method: 'POST', path: () => `/api/tasks/${requestId}/transfer`, token: () => leader.token, body: () => bodyLike({ staff: fc.constantFrom('王芳', '孙丽', '刘强', 'nobody') }) },
  ]

  for (const e of endpoints) {
    it(`${e.method} ${e.path().replace(/undefined|\d+/, ':id')}: JSON bodies`, async () => {
      await fc.assert(fc.asyncProperty(e.body(), async (body) => {
        const json = JSON.stringify(body) ?? 'null'
        const res = await t.call(e.method, e.path(), { token: e.token() || undefined, body: json, headers: { 'content-type': 'application/json' } })
        check(res, `${e.method} ${e.path()} ${json.slice(0, 200)}`)
      }), { numRuns: RUNS })
    })
  }

  it('raw bytes under any content type, on every write endpoint', async () => {
    const contentType = fc.constantFrom('application/json', 'application/json; charset=gbk', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=zz', 'application/vnd.api+json', '', 'image/png')
    await fc.assert(fc.asyncProperty(fc.constantFrom(...endpoints, { method: 'POST', path: () => '/api/photos', token: () => resident.token, body: () => fc.constant(null) }), contentType, fc.uint8Array({ maxLength: 400 }), async (e, type, bytes) => {
      const res = await t.call(e.method, e.path(), { token: e.token() || undefined, body: Buffer.from(bytes), headers: type ? { 'content-type': type } : {} })
      check(res, `${e.method} ${e.path()} [${type}] ${Buffer.from(bytes).toString('hex').slice(0, 80)}`)
    }), { numRuns: RUNS * 2 })
  })

  it('query strings and path parameters', async () => {
    const segment = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('1', '0', '-1', '1.5', '1e3', '99999999999', '%', '%E0%A4%A', '..', ' '))
    await fc.assert(fc.asyncProperty(
      fc.constantFrom('/api/requests/', '/api/photos/', '/api/tasks?status=', '/api/tasks?overdue=', '/api/tasks?category=', '/api/requests?page=', '/api/requests?pageSize=', '/api/requests?cursor=', '/api/requests?status='),
      segment,
      async (prefix, raw) => {
        const value = prefix.includes('?') ? encodeURIComponent(raw) : encodeURIComponent(raw).replace(/%25/g, '%')
        const token = prefix.startsWith('/api/tasks') ? leader.token : resident.token
        const res = await t.call('GET', prefix + value, { token })
        check(res, `GET ${prefix}${value}`)
      },
    ), { numRuns: RUNS * 2 })
  })

  it('the fuzzing reached past validation (some bodies were accepted)', () => {
    expect([...seen].some((s) => s < 300)).toBe(true)
    expect(seen.has(400)).toBe(true)
  })
})
