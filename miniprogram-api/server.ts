import { randomUUID } from 'node:crypto'
import Router from '@koa/router'
import Koa from 'koa'
import type { AppContext } from '../src/context.js'
import { errorHandler } from './errors.js'

export interface ApiOptions {
  /** Extra status for /healthz (e.g. the bot's login state). */
  health?: () => Record<string, unknown>
}

/** The HTTP API: the mini-program's backend, the 书记's dashboard and Open311. */
export function createApi(app: AppContext, opts: ApiOptions = {}): Koa {
  const koa = new Koa({ proxy: true })
  koa.use(async (ctx, next) => {
    const requestId = ctx.get('x-request-id') || randomUUID()
    ctx.set('x-request-id', requestId)
    ctx.state.requestId = requestId
    ctx.state.logger = app.logger.child({ requestId })
    await next()
  })
  koa.use(errorHandler)
  const router = new Router()
  router.get('/healthz', async (ctx) => {
    let database = 'ok'
    try { await app.db.query('SELECT 1') } catch { database = 'error' }
    ctx.status = database === 'ok' ? 200 : 503
    ctx.body = { status: database === 'ok' ? 'ok' : 'degraded', database, time: app.clock.now().toISOString(), ...(opts.health?.() ?? {}) }
  })
  koa.use(router.routes()).use(router.allowedMethods())
  return koa
}
