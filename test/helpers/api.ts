/**
 * The real HTTP API on 127.0.0.1 for tests: a fresh database with the sample community, the fake WeChat
 * server, a virtual clock, photos in a temp dir, and Node's fetch as the client.
 *
 *   const t = await startTestApi(kind)
 *   const li = await t.signIn('李阿姨')                        // login through the fake WeChat
 *   const wang = await t.signIn('王芳', { phone: '13800000001' }) // + phone binding → grid leader token
 *   const res = await t.call('POST', '/api/requests', { token: li.token, json: { text: '…' } })
 *   await t.close()
 */
import { mkdtemp, rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { crc32, deflateSync } from 'node:zlib'
import { join } from 'node:path'
import type { DataSource } from 'typeorm'
import { createApi, type ApiOptions, type ApiServer } from '../../miniprogram-api/server.js'
import { VirtualClock } from '../../src/clock.js'
import { parseConfig, type Config } from '../../src/config.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { silentLogger, type Logger } from '../../src/logger.js'
import { openTestDb, seedSampleCommunity, TEST_KEY, type DbKind } from './db.js'
import { startFakeWechat, type FakeWechat } from './fakeWechat.js'
import { T0 } from './fixtures.js'

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef-0123456789'

export interface CallOptions {
  token?: string
  json?: unknown
  /** a raw body (string or bytes) with its content type */
  body?: BodyInit
  headers?: Record<string, string>
}

export interface ApiResponse {
  status: number
  headers: Headers
  /** parsed JSON, or undefined */
  json: any
  text: string
  bytes: Buffer
}

export interface SignedIn {
  token: string
  refreshToken: string
  user: any
  openid: string
}

export interface TestApi {
  db: DataSource
  communityId: number
  clock: VirtualClock
  config: Config
  wechat: FakeWechat
  app: ApiServer
  baseUrl: string
  uploadDir: string
  call(method: string, path: string, o?: CallOptions): Promise<ApiResponse>
  /** login with a fresh wx.login code; with `phone`, also bind it (a staff phone yields a staff token) */
  signIn(name: string, o?: { phone?: string }): Promise<SignedIn>
  close(): Promise<void>
}

let seq = 0

export async function startTestApi(kind: DbKind, o: { env?: Record<string, string>; options?: ApiOptions; clock?: VirtualClock; logger?: Logger } = {}): Promise<TestApi> {
  const { db, url, close: closeDb } = await openTestDb(kind)
  const communityId = await seedSampleCommunity(db)
  const wechat = await startFakeWechat()
  const uploadDir = await mkdtemp(join(tmpdir(), 'jiesu-uploads-'))
  const clock = o.clock ?? new VirtualClock(T0)
  const config = parseConfig({
    NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: url, DATA_ENCRYPTION_KEY: TEST_KEY, JWT_SECRET: TEST_JWT_SECRET,
    WECHAT_API_BASE_URL: wechat.baseUrl, WECHAT_APPID: wechat.appId, WECHAT_SECRET: wechat.secret,
    WECHAT_TEMPLATE_STATUS: 'TMPL_STATUS', WECHAT_TEMPLATE_CALLBACK: 'TMPL_CALLBACK', UPLOAD_DIR: uploadDir,
    ...o.env,
  })
  const app = createApi({ config, db, clock, logger: o.logger ?? silentLogger }, { classifier: new OfflineClassifier(), ...o.options })
  const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const call = async (method: string, path: string, c: CallOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...(c.token ? { authorization: `Bearer ${c.token}` } : {}), ...c.headers }
    let body = c.body
    if (c.json !== undefined) {
      body = JSON.stringify(c.json)
      headers['content-type'] ??= 'application/json'
    }
    const res = await fetch(baseUrl + path, { method, headers, body })
    const bytes = Buffer.from(await res.arrayBuffer())
    const text = bytes.toString('utf8')
    let json: any
    try { json = JSON.parse(text) } catch { json = undefined }
    return { status: res.status, headers: res.headers, json, text, bytes }
  }

  const signIn = async (name: string, s: { phone?: string } = {}): Promise<SignedIn> => {
    const n = ++seq
    const openid = `openid-${n}-${Buffer.from(name).toString('hex').slice(0, 12)}`
    wechat.addLoginCode(`login-${n}`, openid)
    const login = await call('POST', '/api/auth/login', { json: { code: `login-${n}` } })
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`)
    let { token, refreshToken, user } = login.json
    if (s.phone) {
      wechat.addPhoneCode(`phone-${n}`, s.phone)
      const bound = await call('POST', '/api/auth/phone', { token, json: { code: `phone-${n}` } })
      if (bound.status !== 200) throw new Error(`phone binding failed: ${bound.status} ${bound.text}`)
      ;({ token, refreshToken, user } = bound.json)
    }
    const me = await call('PUT', '/api/me', { token, json: { name } })
    if (me.status !== 200) throw new Error(`profile failed: ${me.status} ${me.text}`)
    return { token, refreshToken, user: me.json, openid }
  }

  return {
    db, communityId, clock, config, wechat, app, baseUrl, uploadDir, call, signIn,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await wechat.close()
      await closeDb()
      await rm(uploadDir, { recursive: true, force: true })
    },
  }
}

/** Smallest valid-looking images by magic bytes, padded to `size` bytes. */
export const fakeImage = {
  png: (size = 64) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(Math.max(0, size - 8), 1)]),
  jpeg: (size = 64) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(Math.max(0, size - 4), 2)]),
  webp: (size = 64) => Buffer.concat([Buffer.from('RIFF'), Buffer.from([0, 0, 0, 0]), Buffer.from('WEBP'), Buffer.alloc(Math.max(0, size - 12), 3)]),
}

/** A real, decodable PNG of one colour: for tests where a browser must show the picture. */
export function solidPng(width: number, height: number, [r, g, b]: [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8-bit RGB, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())])
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))
  return Buffer.concat([fakeImage.png(8), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))])
}

/** A multipart body with these files under the field "photo". */
export function photoForm(files: { data: Buffer; name?: string; type?: string }[]): FormData {
  const form = new FormData()
  files.forEach((f, i) => form.append('photo', new Blob([new Uint8Array(f.data)], { type: f.type ?? 'image/png' }), f.name ?? `p${i}.png`))
  return form
}
