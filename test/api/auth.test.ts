import { SignJWT } from 'jose'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, DEV_DATA_ENCRYPTION_KEY, DEV_JWT_SECRET, parseConfig } from '../../src/config.js'
import { generatedSecrets } from '../../src/secrets.js'
import { Resident, Staff } from '../../src/db/entities/index.js'
import { startTestApi, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'

it('never accepts the published development secrets, in any mode (tokens signed with them could be forged by anyone)', () => {
  for (const NODE_ENV of ['production', 'development', 'test']) {
    expect(() => parseConfig({ NODE_ENV, JWT_SECRET: DEV_JWT_SECRET })).toThrow(ConfigError)
    expect(() => parseConfig({ NODE_ENV, JWT_SECRET: DEV_JWT_SECRET })).toThrow(/JWT_SECRET/)
    expect(() => parseConfig({ NODE_ENV, DATA_ENCRYPTION_KEY: DEV_DATA_ENCRYPTION_KEY })).toThrow(/DATA_ENCRYPTION_KEY/)
  }
  expect(parseConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-our-own-0123456789' }).JWT_SECRET).toBe('a-production-secret-of-our-own-0123456789')
  // Unset: a random secret, never the published one.
  const unset = parseConfig({ NODE_ENV: 'development' })
  expect(unset.JWT_SECRET).not.toBe(DEV_JWT_SECRET)
  expect(unset.JWT_SECRET.length).toBeGreaterThanOrEqual(32)
  expect(unset.DATA_ENCRYPTION_KEY).not.toBe(DEV_DATA_ENCRYPTION_KEY)
})

it('with no JWT_SECRET or DATA_ENCRYPTION_KEY, generates them at first start and keeps them in the data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jiesu-secrets-'))
  try {
    const first = parseConfig({ DATA_DIR: dir }, generatedSecrets)
    const again = parseConfig({ DATA_DIR: dir }, generatedSecrets)
    expect(again.JWT_SECRET).toBe(first.JWT_SECRET)
    expect(again.DATA_ENCRYPTION_KEY).toBe(first.DATA_ENCRYPTION_KEY)
    expect(first.JWT_SECRET).not.toBe(first.DATA_ENCRYPTION_KEY)
    const file = join(dir, 'secrets.json')
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ JWT_SECRET: first.JWT_SECRET, DATA_ENCRYPTION_KEY: first.DATA_ENCRYPTION_KEY })
    expect(statSync(file).mode & 0o077).toBe(0)
    // A secret set in the environment wins over the kept one.
    expect(parseConfig({ DATA_DIR: dir, JWT_SECRET: 'an-explicit-secret-0123456789abcdef-xyz' }, generatedSecrets).JWT_SECRET).toBe('an-explicit-secret-0123456789abcdef-xyz')
    // Another data directory: other secrets.
    const other = mkdtempSync(join(tmpdir(), 'jiesu-secrets-'))
    expect(parseConfig({ DATA_DIR: other }, generatedSecrets).JWT_SECRET).not.toBe(first.JWT_SECRET)
    rmSync(other, { recursive: true, force: true })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

describeEachDb('mini-program auth', (kind) => {
  let t: TestApi
  beforeAll(async () => { t = await startTestApi(kind, { env: { JWT_TTL: '2h', JWT_REFRESH_TTL: '30d' } }) })
  afterAll(() => t.close())

  it('an unknown wx.login code is 401 wechat_code_invalid (WeChat 40029); a used one too (40163)', async () => {
    const bad = await t.call('POST', '/api/auth/login', { json: { code: 'never-issued' } })
    expect(bad.status).toBe(401)
    expect(bad.json.error).toMatchObject({ code: 'wechat_code_invalid', details: { errcode: 40029 } })
    t.wechat.addLoginCode('once', 'openid-once')
    expect((await t.call('POST', '/api/auth/login', { json: { code: 'once' } })).status).toBe(200)
    const reused = await t.call('POST', '/api/auth/login', { json: { code: 'once' } })
    expect(reused.status).toBe(401)
    expect(reused.json.error.details.errcode).toBe(40163)
  })

  it('logging in again with the same openid finds the same resident', async () => {
    t.wechat.addLoginCode('a1', 'openid-same')
    t.wechat.addLoginCode('a2', 'openid-same')
    const first = await t.call('POST', '/api/auth/login', { json: { code: 'a1' } })
    const second = await t.call('POST', '/api/auth/login', { json: { code: 'a2' } })
    expect(second.json.user.id).toBe(first.json.user.id)
    expect(await t.db.getRepository(Resident).countBy({ openid: 'openid-same' })).toBe(1)
  })

  it('caches the access token, and on 40001 (expired) refreshes it and retries once', async () => {
    const u = await t.signIn('甲')
    const issuedBefore = t.wechat.tokensIssued
    t.wechat.addPhoneCode('p1', '13700000001')
    expect((await t.call('POST', '/api/auth/phone', { token: u.token, json: { code: 'p1' } })).status).toBe(200)
    t.wechat.addPhoneCode('p2', '13700000002')
    expect((await t.call('POST', '/api/auth/phone', { token: u.token, json: { code: 'p2' } })).status).toBe(200)
    expect(t.wechat.tokensIssued - issuedBefore).toBeLessThanOrEqual(1) // cached between calls

    t.wechat.expireAccessTokens()
    const calls = t.wechat.callsTo('/wxa/business/getuserphonenumber').length
    t.wechat.addPhoneCode('p3', '13700000003')
    const bound = await t.call('POST', '/api/auth/phone', { token: u.token, json: { code: 'p3' } })
    expect(bound.status).toBe(200)
    expect(bound.json.user.phone).toBe('137****0003')
    const phoneCalls = t.wechat.callsTo('/wxa/business/getuserphonenumber').slice(calls)
    expect(phoneCalls).toHaveLength(2) // the rejected one and the retry
    expect(phoneCalls[0]!.query.access_token).not.toBe(phoneCalls[1]!.query.access_token)
    expect(t.wechat.callsTo('/cgi-bin/stable_token').at(-1)!.json.force_refresh).toBe(true)
  })

  it('refreshes the access token when the clock passes its expiry', async () => {
    const u = await t.signIn('乙')
    t.wechat.addPhoneCode('q1', '13700000011')
    await t.call('POST', '/api/auth/phone', { token: u.token, json: { code: 'q1' } })
    const before = t.wechat.callsTo('/cgi-bin/stable_token').length
    t.clock.advance(2 * 3600_000) // expires_in 7200 s
    const fresh = await t.signIn('乙2')
    t.wechat.addPhoneCode('q2', '13700000012')
    expect((await t.call('POST', '/api/auth/phone', { token: fresh.token, json: { code: 'q2' } })).status).toBe(200)
    expect(t.wechat.callsTo('/cgi-bin/stable_token').length).toBe(before + 1)
  })

  it('an invalid phone code is a 400 with WeChat\'s errcode', async () => {
    const u = await t.signIn('丙')
    const res = await t.call('POST', '/api/auth/phone', { token: u.token, json: { code: 'no-such-phone-code' } })
    expect(res.status).toBe(400)
    expect(res.json.error).toMatchObject({ code: 'wechat_code_invalid', details: { errcode: 40029 } })
  })

  it('a staff phone from the community file gives the staff role in the new token; deactivation takes it away at once', async () => {
    const u = await t.signIn('周敏', { phone: '13800000022' })
    expect(u.user).toMatchObject({ role: 'social_worker', roleName: '社工', staff: { name: '周敏' } })
    expect((await t.call('GET', '/api/tasks', { token: u.token })).status).toBe(200)
    await t.db.getRepository(Staff).update({ wechat: '周敏' }, { active: false })
    try {
      const denied = await t.call('GET', '/api/tasks', { token: u.token })
      expect(denied.status).toBe(403)
      expect(denied.json.error.code).toBe('staff_only')
      expect((await t.call('GET', '/api/me', { token: u.token })).json.role).toBe('resident')
    } finally {
      await t.db.getRepository(Staff).update({ wechat: '周敏' }, { active: true })
    }
  })

  it('tokens expire (JWT_TTL on the injected clock) and a refresh token gets a new pair', async () => {
    const u = await t.signIn('丁')
    expect((await t.call('GET', '/api/me', { token: u.token })).status).toBe(200)
    t.clock.advance(2 * 3600_000 + 60_000)
    const expired = await t.call('GET', '/api/me', { token: u.token })
    expect(expired.status).toBe(401)
    expect(expired.json.error.code).toBe('token_expired')
    // a refresh token is not an access token, and vice versa
    expect((await t.call('GET', '/api/me', { token: u.refreshToken })).status).toBe(401)
    expect((await t.call('POST', '/api/auth/refresh', { json: { refreshToken: u.token } })).status).toBe(401)
    const refreshed = await t.call('POST', '/api/auth/refresh', { json: { refreshToken: u.refreshToken } })
    expect(refreshed.status).toBe(200)
    const me = await t.call('GET', '/api/me', { token: refreshed.json.token })
    expect(me.status).toBe(200)
    expect(me.json.name).toBe('丁')
    t.clock.advance(31 * 86400_000)
    expect((await t.call('POST', '/api/auth/refresh', { json: { refreshToken: refreshed.json.refreshToken } })).status).toBe(401)
  })

  it('a tampered, foreign or missing token is a 401', async () => {
    const u = await t.signIn('戊')
    const [h, p, s] = u.token.split('.')
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString())
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: '1', sid: 1 })).toString('base64url')}.${s}`
    for (const token of [forged, `${u.token}x`, 'not-a-jwt-at-all-really', undefined]) {
      const res = await t.call('GET', '/api/me', { token })
      expect(res.status).toBe(401)
      expect(['invalid_token', 'missing_token']).toContain(res.json.error.code)
    }
    const basic = await t.call('GET', '/api/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } })
    expect(basic.status).toBe(401)
  })

  it('a correctly signed token without exp or iat, or issued in the future, is a 401', async () => {
    const u = await t.signIn('己')
    const key = new TextEncoder().encode(t.config.JWT_SECRET)
    const now = Math.floor(t.clock.now().getTime() / 1000)
    const sign = (o: { iat?: number; exp?: number }) => {
      const jwt = new SignJWT({ typ: 'access' }).setProtectedHeader({ alg: 'HS256' }).setSubject(String(u.user.id)).setIssuer('jiesu').setAudience('jiesu-miniprogram')
      if (o.iat !== undefined) jwt.setIssuedAt(o.iat)
      if (o.exp !== undefined) jwt.setExpirationTime(o.exp)
      return jwt.sign(key)
    }
    // the same claims with both times are accepted: the refusals below are about the times alone
    expect((await t.call('GET', '/api/me', { token: await sign({ iat: now, exp: now + 600 }) })).status).toBe(200)
    for (const token of [await sign({ iat: now }), await sign({ exp: now + 600 }), await sign({ iat: now + 365 * 86400, exp: now + 366 * 86400 })]) {
      const res = await t.call('GET', '/api/me', { token })
      expect(res.status).toBe(401)
      expect(res.json.error.code).toBe('invalid_token')
    }
  })
})

describeEachDb('mini-program auth without WeChat', (kind) => {
  let t: TestApi
  beforeAll(async () => { t = await startTestApi(kind, { env: { WECHAT_APPID: '', WECHAT_SECRET: '' } }) })
  afterAll(() => t.close())

  it('is 503 wechat_not_configured, not a crash', async () => {
    const res = await t.call('POST', '/api/auth/login', { json: { code: 'x' } })
    expect(res.status).toBe(503)
    expect(res.json.error.code).toBe('wechat_not_configured')
  })
})

describeEachDb('mini-program auth when WeChat is down', (kind) => {
  let t: TestApi
  beforeAll(async () => { t = await startTestApi(kind, { env: { WECHAT_API_BASE_URL: 'http://127.0.0.1:9', WECHAT_TIMEOUT_MS: '2000' } }) })
  afterAll(() => t.close())

  it('is 502 wechat_unavailable', async () => {
    const res = await t.call('POST', '/api/auth/login', { json: { code: 'x' } })
    expect(res.status).toBe(502)
    expect(res.json.error.code).toBe('wechat_unavailable')
  })
})
