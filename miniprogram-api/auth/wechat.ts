import type { Clock } from '../../src/clock.js'
import { DomainError } from '../../src/errors.js'
import type { Logger } from '../../src/logger.js'

/** WeChat answered with an errcode. `errcode` is WeChat's own number (40029, 43101 …). */
export class WechatApiError extends DomainError {
  constructor(readonly errcode: number, errmsg: string, code: string, message: string, status: number) {
    super(code, message, status, { errcode, errmsg })
  }
}

export interface WechatClientOptions {
  /** WECHAT_API_BASE_URL, e.g. https://api.weixin.qq.com (a fake server in tests) */
  baseUrl: string
  appId?: string
  secret?: string
  clock: Clock
  logger: Logger
  timeoutMs?: number
}

export interface WechatSession { openid: string; unionid: string | null }
export interface WechatPhone { phoneNumber: string; purePhoneNumber: string; countryCode: string }

/** errcodes meaning "the access token is no good": refresh it and try once more. */
const TOKEN_ERRORS = new Set([40001, 40014, 42001])
/** Refresh this long before WeChat says the token expires. */
const TOKEN_MARGIN_MS = 5 * 60_000

type WechatReply = { errcode?: number; errmsg?: string } & Record<string, unknown>

/**
 * The mini-program server API: login (jscode2session), phone number (getuserphonenumber) and
 * subscribe messages, with the access token from /cgi-bin/stable_token cached on the injected clock
 * and refreshed when it is about to expire or WeChat rejects it.
 */
export class WechatClient {
  private token: { value: string; expiresAt: number } | null = null
  private inflight: Promise<string> | null = null

  constructor(private readonly o: WechatClientOptions) {}

  get configured(): boolean {
    return !!(this.o.appId && this.o.secret)
  }

  private credentials(): { appId: string; secret: string } {
    if (!this.o.appId || !this.o.secret) throw new DomainError('wechat_not_configured', '微信登录暂未开通，请联系社区', 503)
    return { appId: this.o.appId, secret: this.o.secret }
  }

  private async call(path: string, init: { method: 'GET' | 'POST'; query?: Record<string, string>; body?: unknown; logger?: Logger }): Promise<WechatReply> {
    const log = init.logger ?? this.o.logger
    const url = new URL(path, this.o.baseUrl.endsWith('/') ? this.o.baseUrl : `${this.o.baseUrl}/`)
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v)
    let res: Response
    try {
      res = await fetch(url, {
        method: init.method,
        headers: init.body !== undefined ? { 'content-type': 'application/json' } : undefined,
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000),
      })
    } catch (err) {
      log.warn({ path, err: (err as Error).message }, 'wechat api unreachable')
      throw new DomainError('wechat_unavailable', '微信服务暂时不可用，请稍后再试', 502)
    }
    const text = await res.text().catch(() => '')
    let json: unknown
    try { json = JSON.parse(text) } catch { json = null }
    if (!res.ok || !json || typeof json !== 'object' || Array.isArray(json)) {
      log.warn({ path, status: res.status }, 'wechat api answered with something other than a JSON object')
      throw new DomainError('wechat_unavailable', '微信服务暂时不可用，请稍后再试', 502)
    }
    return json as WechatReply
  }

  /** The cached access token, fetched (or force-refreshed) from /cgi-bin/stable_token when needed. One fetch at a time. */
  async accessToken(forceRefresh = false, logger: Logger = this.o.logger): Promise<string> {
    const now = this.o.clock.now().getTime()
    if (!forceRefresh && this.token && now < this.token.expiresAt) return this.token.value
    if (this.inflight) return this.inflight
    const { appId, secret } = this.credentials()
    this.inflight = (async () => {
      const reply = await this.call('cgi-bin/stable_token', {
        method: 'POST', body: { grant_type: 'client_credential', appid: appId, secret, force_refresh: forceRefresh }, logger,
      })
      if (reply.errcode || typeof reply.access_token !== 'string') {
        logger.error({ errcode: reply.errcode, errmsg: reply.errmsg }, 'wechat stable_token failed')
        throw new WechatApiError(Number(reply.errcode ?? -1), String(reply.errmsg ?? 'no access_token'), 'wechat_error', '微信服务暂时不可用，请稍后再试', 502)
      }
      const expiresIn = Number(reply.expires_in) > 0 ? Number(reply.expires_in) : 7200
      this.token = { value: reply.access_token, expiresAt: this.o.clock.now().getTime() + Math.max(expiresIn * 1000 - TOKEN_MARGIN_MS, 30_000) }
      return reply.access_token
    })().finally(() => { this.inflight = null })
    return this.inflight
  }

  /** A call that needs ?access_token=…; on an invalid/expired token it refreshes once and retries. */
  private async withToken(path: string, body: unknown, logger: Logger): Promise<WechatReply> {
    let token = await this.accessToken(false, logger)
    let reply = await this.call(path, { method: 'POST', query: { access_token: token }, body, logger })
    if (reply.errcode && TOKEN_ERRORS.has(reply.errcode)) {
      logger.info({ errcode: reply.errcode, path }, 'wechat access token rejected, refreshing')
      // Another caller may have refreshed it meanwhile.
      token = this.token && this.token.value !== token ? this.token.value : await this.accessToken(true, logger)
      reply = await this.call(path, { method: 'POST', query: { access_token: token }, body, logger })
    }
    return reply
  }

  /** wx.login code → openid. */
  async code2session(code: string, logger: Logger = this.o.logger): Promise<WechatSession> {
    const { appId, secret } = this.credentials()
    const reply = await this.call('sns/jscode2session', {
      method: 'GET', query: { appid: appId, secret, js_code: code, grant_type: 'authorization_code' }, logger,
    })
    if (reply.errcode) {
      const errcode = Number(reply.errcode)
      if (errcode === 45011) throw new WechatApiError(errcode, String(reply.errmsg), 'wechat_rate_limited', '登录太频繁，请稍后再试', 429)
      if (errcode === 40029 || errcode === 40163 || errcode === 40226) {
        throw new WechatApiError(errcode, String(reply.errmsg), 'wechat_code_invalid', '登录凭证无效或已过期，请重新登录', 401)
      }
      logger.warn({ errcode, errmsg: reply.errmsg }, 'wechat jscode2session failed')
      throw new WechatApiError(errcode, String(reply.errmsg), 'wechat_error', '微信登录失败，请稍后再试', 502)
    }
    if (typeof reply.openid !== 'string' || !reply.openid) throw new DomainError('wechat_unavailable', '微信服务暂时不可用，请稍后再试', 502)
    return { openid: reply.openid, unionid: typeof reply.unionid === 'string' ? reply.unionid : null }
  }

  /** getPhoneNumber button code → the user's phone. */
  async getPhoneNumber(code: string, logger: Logger = this.o.logger): Promise<WechatPhone> {
    const reply = await this.withToken('wxa/business/getuserphonenumber', { code }, logger)
    if (reply.errcode) {
      const errcode = Number(reply.errcode)
      if (errcode === 40029) throw new WechatApiError(errcode, String(reply.errmsg), 'wechat_code_invalid', '手机号授权已失效，请重新授权', 400)
      if (errcode === 45011) throw new WechatApiError(errcode, String(reply.errmsg), 'wechat_rate_limited', '操作太频繁，请稍后再试', 429)
      logger.warn({ errcode, errmsg: reply.errmsg }, 'wechat getuserphonenumber failed')
      throw new WechatApiError(errcode, String(reply.errmsg), 'wechat_error', '获取手机号失败，请稍后再试', 502)
    }
    const info = reply.phone_info as Partial<WechatPhone> | undefined
    if (!info || typeof info.purePhoneNumber !== 'string') throw new DomainError('wechat_unavailable', '微信服务暂时不可用，请稍后再试', 502)
    return { phoneNumber: String(info.phoneNumber ?? info.purePhoneNumber), purePhoneNumber: info.purePhoneNumber, countryCode: String(info.countryCode ?? '86') }
  }

  /** POST /cgi-bin/message/subscribe/send. Throws WechatApiError with WeChat's errcode (43101: the user refused). */
  async sendSubscribeMessage(body: { touser: string; template_id: string; page?: string; data: Record<string, { value: string }>; miniprogram_state?: string; lang?: string }): Promise<void> {
    const reply = await this.withToken('cgi-bin/message/subscribe/send', body, this.o.logger)
    if (reply.errcode) {
      const errcode = Number(reply.errcode)
      throw new WechatApiError(errcode, String(reply.errmsg), 'wechat_error', '订阅消息发送失败', 502)
    }
  }
}
