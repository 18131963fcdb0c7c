import { Writable } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ServiceRequest } from '../../src/db/entities/index.js'
import { startTestApi, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'

describeEachDb('API robustness', (kind) => {
  let t: TestApi
  let li: SignedIn
  const logLines: any[] = []
  beforeAll(async () => {
    const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(l)); done() } })
    t = await startTestApi(kind, { logger: pino({ level: 'info' }, sink), env: { RATE_LIMIT_WRITES_PER_USER: '1000', RATE_LIMIT_WRITES_PER_IP: '1000' } })
    li = await t.signIn('李阿姨')
  })
  afterAll(() => t.close())

  const post = (body: BodyInit, contentType: string | null, path = '/api/requests') =>
    t.call('POST', path, { token: li.token, body, headers: contentType ? { 'content-type': contentType } : {} })

  it('answers /healthz', async () => {
    const res = await t.call('GET', '/healthz')
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ status: 'ok', database: 'ok', time: t.clock.now().toISOString() })
  })

  it('malformed JSON is a 400 invalid_json', async () => {
    for (const body of ['{"text": "漏水"', '{text: 1}', '\u0000', '{"a":1}}', '[[[[[[']) {
      const res = await post(body, 'application/json')
      expect(res.status, body).toBe(400)
      expect(res.json.error.code).toBe('invalid_json')
    }
  })

  it('a wrong content type is a 415, a missing one on a body too', async () => {
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', null]) {
      const res = await post('{"text":"3号楼漏水"}', type)
      expect(res.status, String(type)).toBe(415)
      expect(res.json.error.code).toBe('unsupported_media_type')
    }
  })

  it('a huge body is a 413 before it is read', async () => {
    const res = await post(JSON.stringify({ text: '漏'.repeat(300_000) }), 'application/json')
    expect(res.status).toBe(413)
    expect(res.json.error.code).toBe('payload_too_large')
  })

  it('wrong shapes are a 400 validation_failed naming the field', async () => {
    for (const json of [[], [{ text: '漏水' }], 'text', 42, null, { text: 42 }, { text: '' }, { text: '   ' }, { text: 'x'.repeat(20_001) }, { text: '漏水', photos: 'abc' }, { text: '漏水', photos: [1.5] }, { text: '漏水', category: 'plumbing' }, { text: { $gt: '' } }]) {
      const res = await t.call('POST', '/api/requests', { token: li.token, json })
      expect(res.status, JSON.stringify(json)).toBe(400)
      expect(res.json.error.code).toBe('validation_failed')
      expect(res.json.error.message).toMatch(/[\u4e00-\u9fa5]/)
    }
    const bad = await t.call('POST', '/api/requests', { token: li.token, json: { text: 5 } })
    expect(bad.json.error.details.issues[0].path).toBe('body.text')
  })

  it('numbers as strings are accepted where it makes sense', async () => {
    expect((await t.call('GET', '/api/requests?page=1&pageSize=5', { token: li.token })).status).toBe(200)
    expect((await t.call('GET', '/api/requests?page=abc', { token: li.token })).status).toBe(400)
    expect((await t.call('GET', '/api/requests?page=1&page=2', { token: li.token })).status).toBe(400)
    expect((await t.call('GET', '/api/requests/1e400', { token: li.token })).status).toBe(400)
    expect((await t.call('GET', '/api/requests/99999999999', { token: li.token })).status).toBe(400)
    expect((await t.call('GET', '/api/requests/%E0%A4%A', { token: li.token })).status).toBe(400)
  })

  it('weird unicode is kept safely (lone surrogates replaced, NUL stripped), on both databases', async () => {
    const text = '3号楼\u0000 楼道灯坏了 😀 \ud800 ｢全角｣ \u202e反转 𠀀'
    const res = await t.call('POST', '/api/requests', { token: li.token, body: `{"text": ${JSON.stringify(text)}}`.replace('\\ud800', '\\ud800'), headers: { 'content-type': 'application/json' } })
    expect(res.status).toBeLessThan(500)
    if (res.status === 201) {
      const row = await t.db.getRepository(ServiceRequest).findOneByOrFail({ id: res.json.request.id })
      expect(row.originalText).toContain('😀')
      expect(row.originalText).toContain('𠀀')
      expect(row.originalText).not.toContain('\u0000')
      expect(row.originalText).toContain('\ufffd')
    }
  })

  it('unknown routes are 404 and wrong methods 405, in the error shape', async () => {
    const nf = await t.call('GET', '/api/nope')
    expect(nf.status).toBe(404)
    expect(nf.json.error.code).toBe('route_not_found')
    const wrong = await t.call('DELETE', '/api/requests', { token: li.token })
    expect(wrong.status).toBe(405)
    expect(wrong.json.error.code).toBe('method_not_allowed')
  })

  it('every log line of a request carries its request id', async () => {
    logLines.length = 0
    const res = await t.call('POST', '/api/requests', { token: li.token, json: { text: '12号楼门口井盖松了，有人差点摔倒' }, headers: { 'x-request-id': 'trace-123' } })
    expect(res.status, res.text).toBe(201)
    expect(res.headers.get('x-request-id')).toBe('trace-123')
    const mine = logLines.filter((l) => l.requestId === 'trace-123')
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['mini-program request received', 'request']))
    expect(mine.find((l) => l.msg === 'mini-program request received')).toMatchObject({ serviceRequestId: res.json.request.id })
    expect(logLines.filter((l) => typeof l.requestId !== 'string')).toEqual([])
    // the caller is on every line after sign-in, whether the request logged through ctx.state.logger or only its access line
    expect(mine.filter((l) => l.msg !== 'request' || l.path === '/api/requests').every((l) => l.residentId === li.user.id)).toBe(true)
    logLines.length = 0
    const list = await t.call('GET', '/api/requests', { token: li.token, headers: { 'x-request-id': 'trace-124' } })
    expect(list.status).toBe(200)
    expect(logLines).toEqual([expect.objectContaining({ msg: 'request', requestId: 'trace-124', residentId: li.user.id, method: 'GET', path: '/api/requests', status: 200, level: 30 })])
    // an id we would not have made ourselves is replaced
    const injected = await t.call('GET', '/healthz', { headers: { 'x-request-id': 'a b "<script>' } })
    expect(injected.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('serves an OpenAPI 3 document generated from the zod schemas', async () => {
    const res = await t.call('GET', '/api/openapi.json')
    expect(res.status).toBe(200)
    expect(res.json.openapi).toMatch(/^3\./)
    const create = res.json.paths['/api/requests'].post
    expect(create.requestBody.content['application/json'].schema.properties.text).toMatchObject({ type: 'string' })
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['text'])
    expect(create.responses['201'].content['application/json'].schema.properties.request.properties.statusName).toMatchObject({ type: 'string' })
    expect(res.json.paths['/api/tasks/{id}/resolve'].post.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path' })]))
    expect(res.json.paths['/api/tasks'].get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['status', 'category', 'overdue', 'page']))
    expect(res.json.paths['/api/photos'].post.requestBody.content['multipart/form-data']).toBeDefined()
    for (const path of ['/api/auth/login', '/api/auth/phone', '/api/auth/refresh', '/api/me', '/api/requests/{id}/rating', '/api/requests/{id}/comments', '/api/photos/{id}', '/healthz']) {
      expect(res.json.paths[path], path).toBeDefined()
    }
  })
})

describeEachDb('API write rate limits', (kind) => {
  let t: TestApi
  beforeAll(async () => {
    t = await startTestApi(kind, { env: { RATE_LIMIT_WRITES_PER_USER: '3', RATE_LIMIT_WRITES_PER_IP: '8', RATE_LIMIT_WINDOW_MS: '60000' } })
  })
  afterAll(() => t.close())

  it('limits writes per user with 429 rate_limited and Retry-After, lets reads through, and frees up as the window slides', async () => {
    t.wechat.addLoginCode('rl-a', 'openid-rl-a')
    const { token } = (await t.call('POST', '/api/auth/login', { json: { code: 'rl-a' } })).json // IP write 1
    const write = () => t.call('PUT', '/api/me', { token, json: { name: '甲' } })
    expect((await write()).status).toBe(200)
    t.clock.advance(20_000)
    expect((await write()).status).toBe(200)
    expect((await write()).status).toBe(200)
    const limited = await write()
    expect(limited.status).toBe(429)
    expect(limited.json.error.code).toBe('rate_limited')
    expect(Number(limited.headers.get('retry-after'))).toBe(40)
    expect((await t.call('GET', '/api/me', { token })).status).toBe(200)
    t.clock.advance(40_000) // the first write leaves the window
    expect((await write()).status).toBe(200)
    expect((await write()).status).toBe(429)
  })

  it('limits writes per IP across users', async () => {
    t.clock.advance(120_000)
    const tokens: string[] = []
    for (let i = 0; i < 4; i++) {
      t.wechat.addLoginCode(`ip-${i}`, `openid-ip-${i}`)
      const res = await t.call('POST', '/api/auth/login', { json: { code: `ip-${i}` } })
      expect(res.status).toBe(200)
      tokens.push(res.json.token)
    }
    // 4 users × 2 writes = 8 writes from this IP (logins count in their own bucket): the next write of anyone is refused
    const statuses: number[] = []
    for (const token of [...tokens, ...tokens]) statuses.push((await t.call('PUT', '/api/me', { token, json: { name: '乙' } })).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200])
    const refused = await t.call('PUT', '/api/me', { token: tokens[0], json: { name: '丙' } })
    expect(refused.status).toBe(429)
    // logins have their own bucket, so a busy IP can still sign in
    t.wechat.addLoginCode('ip-late', 'openid-ip-late')
    expect((await t.call('POST', '/api/auth/login', { json: { code: 'ip-late' } })).status).toBe(200)
  })
})
