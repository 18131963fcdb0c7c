import { randomUUID } from 'node:crypto'
import Router from '@koa/router'
import Koa from 'koa'
import { z } from 'zod'
import type { AppContext } from '../src/context.js'
import { createClassifier } from '../src/intake/classifierFactory.js'
import type { Classifier } from '../src/intake/classifier/types.js'
import type { RunIntake } from '../src/intake/pipeline.js'
import { runIntake } from '../src/intake/run.js'
import { LocalDiskStorage, type FileStorage } from '../src/storage/index.js'
import { TokenService } from './auth/tokens.js'
import { WechatClient } from './auth/wechat.js'
import type { ApiDeps } from './deps.js'
import { consoleSession } from './console/session.js'
import { errorHandler } from './errors.js'
import { bodyParser } from './middleware/body.js'
import { RateLimiter } from './middleware/rateLimit.js'
import { requireStaff } from './middleware/auth.js'
import { openApiDocument, registerRoute } from './openapi.js'
import { logRequest, startRequestLog } from './requestLog.js'
import { API_MODULES, readsOwnBody, type ApiModule } from './routes/index.js'

export interface ApiOptions {
  /** Extra status for /healthz (e.g. the bot's login state). Public: no secrets. */
  health?: () => Record<string, unknown>
  /** The bot's full status, login QR link included: for the 书记 only (whoever scans the QR becomes the bot). */
  botStatus?: () => Record<string, unknown>
  /** Defaults: the configured classifier (LLM with offline fallback, or offline), the real intake, photos on disk under UPLOAD_DIR. */
  classifier?: Classifier
  runIntake?: RunIntake
  storage?: FileStorage
  /** Share one client (and its cached access token) with the subscribe-message sender. */
  wechat?: WechatClient
  /** Route groups to serve instead of API_MODULES (tests). */
  modules?: ApiModule[]
}

export type ApiServer = Koa & { deps: ApiDeps }

/** Only ids we could have made ourselves go into logs: no log injection through X-Request-Id. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/

/** The WeChat client for this config; app/main.ts shares it between the API and the subscribe-message sender. */
export function createWechatClient(app: AppContext): WechatClient {
  const { config } = app
  return new WechatClient({
    baseUrl: config.WECHAT_API_BASE_URL, appId: config.WECHAT_APPID, secret: config.WECHAT_SECRET,
    clock: app.clock, logger: app.logger, timeoutMs: config.WECHAT_TIMEOUT_MS,
  })
}

/** The HTTP API: the mini-program's backend, the 书记's dashboard and Open311. */
export function createApi(app: AppContext, opts: ApiOptions = {}): ApiServer {
  const { config } = app
  const deps: ApiDeps = {
    ...app,
    wechat: opts.wechat ?? createWechatClient(app),
    tokens: new TokenService({ secret: config.JWT_SECRET, ttl: config.JWT_TTL, refreshTtl: config.JWT_REFRESH_TTL, clock: app.clock }),
    storage: opts.storage ?? new LocalDiskStorage(config.UPLOAD_DIR),
    classifier: opts.classifier ?? createClassifier(config, app.logger),
    runIntake: opts.runIntake ?? runIntake,
    limiter: new RateLimiter({ db: app.db, clock: app.clock, windowMs: config.RATE_LIMIT_WINDOW_MS }),
    botStatus: opts.botStatus,
  }

  // Behind one proxy: trust only the X-Forwarded-For entry it appends, so clients cannot pick their IP.
  const koa = new Koa({ proxy: config.TRUST_PROXY, maxIpsCount: 1 }) as ApiServer
  koa.deps = deps
  // Koa logs uncaught errors itself; everything reaching it has already been answered by errorHandler.
  koa.silent = true
  koa.use(async (ctx, next) => {
    const given = ctx.get('x-request-id')
    const requestId = REQUEST_ID.test(given) ? given : randomUUID()
    const started = process.hrtime.bigint()
    ctx.set('x-request-id', requestId)
    ctx.state.requestId = requestId
    ctx.state.deps = deps
    startRequestLog(ctx, app.logger, { requestId })
    try {
      await next()
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      logRequest(ctx, { method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request')
    }
  })
  koa.use(errorHandler)
  koa.use(bodyParser({ raw: (ctx) => readsOwnBody(ctx.path) }))
  // The web console's session cookie stands in for the Bearer token on /console, /api and /digests.
  koa.use(consoleSession())

  const router = new Router()
  registerRoute({
    method: 'get', path: '/healthz', summary: 'Liveness and database check (503 when the database does not answer)', tags: ['ops'], auth: 'none', errors: [503],
    response: z.looseObject({ status: z.enum(['ok', 'degraded']), database: z.enum(['ok', 'error']), time: z.string(), bot: z.object({ state: z.string() }).optional() }),
  })
  router.get('/healthz', async (ctx) => {
    let database = 'ok'
    try { await app.db.query('SELECT 1') } catch { database = 'error' }
    ctx.status = database === 'ok' ? 200 : 503
    ctx.body = { status: database === 'ok' ? 'ok' : 'degraded', database, time: app.clock.now().toISOString(), ...(opts.health?.() ?? {}) }
  })
  registerRoute({ method: 'get', path: '/api/openapi.json', summary: 'This document', tags: ['ops'], auth: 'none', errors: [], response: z.record(z.string(), z.unknown()).meta({ description: 'OpenAPI 3.1' }) })
  router.get('/api/openapi.json', (ctx) => {
    ctx.body = openApiDocument({ title: 'jiesu 接诉即办 API', version: '1' })
  })
  registerRoute({
    method: 'get', path: '/api/admin/bot', summary: 'WeChat bot login state and QR link (书记 only)', tags: ['secretary'], errors: [401, 403],
    response: z.object({ bot: z.looseObject({ state: z.string() }) }),
  })
  router.get('/api/admin/bot', requireStaff('secretary'), (ctx) => {
    ctx.body = { bot: deps.botStatus?.() ?? { state: 'disabled' } }
  })
  for (const mount of opts.modules ?? API_MODULES) mount(router, deps)
  koa.use(router.routes()).use(router.allowedMethods())
  return koa
}
