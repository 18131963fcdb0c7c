/**
 * A fake WeChat mini-program server API on 127.0.0.1, following the official response shapes:
 *
 *   GET  /sns/jscode2session?appid&secret&js_code&grant_type   → {openid, session_key, unionid?} | {errcode, errmsg}
 *   POST /cgi-bin/stable_token {grant_type, appid, secret, force_refresh} → {access_token, expires_in}
 *   POST /wxa/business/getuserphonenumber?access_token {code}  → {errcode: 0, errmsg, phone_info: {phoneNumber, purePhoneNumber, countryCode, watermark}}
 *   POST /cgi-bin/message/subscribe/send?access_token {touser, template_id, data, …} → {errcode: 0, errmsg: 'ok'}
 *
 * A wx.login code works once (40163 the second time), an unknown one is 40029. `expireAccessTokens()` makes
 * every issued token stale, so the next call that uses one gets 40001 until the client fetches a new one.
 *
 *   const wx = await startFakeWechat()
 *   wx.addLoginCode('code-li', 'openid-li')
 *   wx.addPhoneCode('phone-li', '13912345678')
 */
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeWechatCall { method: string; path: string; query: Record<string, string>; json: any }

export interface FakeWechat {
  readonly baseUrl: string
  readonly appId: string
  readonly secret: string
  readonly calls: FakeWechatCall[]
  /** subscribe messages accepted, in order */
  readonly subscribeMessages: any[]
  /** how many tokens stable_token has issued */
  readonly tokensIssued: number
  addLoginCode(code: string, openid: string, unionid?: string): void
  addPhoneCode(code: string, phone: string, countryCode?: string): void
  expireAccessTokens(): void
  /** the user turned subscribe messages off: sends to them fail with 43101 */
  refuseSubscribe(openid: string): void
  callsTo(path: string): FakeWechatCall[]
  close(): Promise<void>
}

export async function startFakeWechat(o: { appId?: string; secret?: string } = {}): Promise<FakeWechat> {
  const appId = o.appId ?? 'wx0123456789abcdef'
  const secret = o.secret ?? 'fake-app-secret'
  const logins = new Map<string, { openid: string; unionid?: string; used: boolean }>()
  const phones = new Map<string, { phone: string; countryCode: string }>()
  const refused = new Set<string>()
  const validTokens = new Set<string>()
  let current: string | null = null
  let issued = 0
  const calls: FakeWechatCall[] = []
  const subscribeMessages: any[] = []

  const send = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify(body))
  }
  const rid = () => `rid: ${Math.random().toString(16).slice(2, 10)}`

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake')
      const query = Object.fromEntries(url.searchParams)
      let json: any
      try { json = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined } catch { json = undefined }
      calls.push({ method: req.method ?? '', path: url.pathname, query, json })
      const tokenOk = () => !!query.access_token && validTokens.has(query.access_token)
      const badToken = { errcode: 40001, errmsg: `invalid credential, access_token is invalid or not latest, ${rid()}` }

      switch (`${req.method} ${url.pathname}`) {
        case 'GET /sns/jscode2session': {
          if (query.appid !== appId) return send(res, { errcode: 40013, errmsg: `invalid appid, ${rid()}` })
          if (query.secret !== secret) return send(res, { errcode: 40125, errmsg: `invalid appsecret, ${rid()}` })
          if (query.grant_type !== 'authorization_code') return send(res, { errcode: 40002, errmsg: `invalid grant_type, ${rid()}` })
          const login = logins.get(query.js_code ?? '')
          if (!login) return send(res, { errcode: 40029, errmsg: `invalid code, ${rid()}` })
          if (login.used) return send(res, { errcode: 40163, errmsg: `code been used, ${rid()}` })
          login.used = true
          return send(res, { openid: login.openid, session_key: Buffer.from(`sk-${login.openid}`).toString('base64'), ...(login.unionid ? { unionid: login.unionid } : {}) })
        }
        case 'POST /cgi-bin/stable_token': {
          if (json?.grant_type !== 'client_credential') return send(res, { errcode: 40002, errmsg: `invalid grant_type, ${rid()}` })
          if (json?.appid !== appId) return send(res, { errcode: 40013, errmsg: `invalid appid, ${rid()}` })
          if (json?.secret !== secret) return send(res, { errcode: 40125, errmsg: `invalid appsecret, ${rid()}` })
          if (json.force_refresh || !current || !validTokens.has(current)) {
            issued++
            current = `ACCESS_TOKEN_${issued}_${Math.random().toString(36).slice(2, 8)}`
            validTokens.add(current)
          }
          return send(res, { access_token: current, expires_in: 7200 })
        }
        case 'POST /wxa/business/getuserphonenumber': {
          if (!tokenOk()) return send(res, badToken)
          const p = phones.get(json?.code ?? '')
          if (!p) return send(res, { errcode: 40029, errmsg: `invalid code, ${rid()}` })
          return send(res, {
            errcode: 0, errmsg: 'ok',
            phone_info: { phoneNumber: p.countryCode === '86' ? p.phone : `+${p.countryCode}${p.phone}`, purePhoneNumber: p.phone, countryCode: p.countryCode, watermark: { timestamp: Math.floor(Date.now() / 1000), appid: appId } },
          })
        }
        case 'POST /cgi-bin/message/subscribe/send': {
          if (!tokenOk()) return send(res, badToken)
          if (!json?.touser || !json?.template_id || typeof json?.data !== 'object') return send(res, { errcode: 47003, errmsg: `argument invalid! ${rid()}` })
          if (refused.has(json.touser)) return send(res, { errcode: 43101, errmsg: `user refuse to accept the msg, ${rid()}` })
          subscribeMessages.push(json)
          return send(res, { errcode: 0, errmsg: 'ok' })
        }
        default:
          res.writeHead(404, { 'content-type': 'text/plain' })
          res.end('not found')
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    appId, secret, calls, subscribeMessages,
    get tokensIssued() { return issued },
    addLoginCode: (code, openid, unionid) => void logins.set(code, { openid, unionid, used: false }),
    addPhoneCode: (code, phone, countryCode = '86') => void phones.set(code, { phone, countryCode }),
    expireAccessTokens: () => validTokens.clear(),
    refuseSubscribe: (openid) => void refused.add(openid),
    callsTo: (path) => calls.filter((c) => c.path === path),
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
