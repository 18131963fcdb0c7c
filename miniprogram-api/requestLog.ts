import type { Context } from 'koa'
import type { Logger } from '../src/logger.js'

interface RequestLog { base: Logger; bindings: Record<string, unknown>; made?: Logger }
const logs = new WeakMap<Context, RequestLog>()

/**
 * ctx.state.logger: the base logger's child with this request's bindings (requestId, then who is calling), made
 * on first use. A pino child per request, and another per binding added, cost more than the rest of a small
 * GET's middleware; most requests log nothing but the one access line, which `logRequest` writes without one.
 * Assigning ctx.state.logger replaces it, as before.
 */
export function startRequestLog(ctx: Context, base: Logger, bindings: Record<string, unknown>): void {
  const log: RequestLog = { base, bindings: { ...bindings } }
  logs.set(ctx, log)
  Object.defineProperty(ctx.state, 'logger', {
    configurable: true, enumerable: true,
    get: () => (log.made ??= base.child(log.bindings)),
    set: (logger: Logger) => { log.made = logger },
  })
}

/** Adds bindings to every later line of this request's log (as ctx.state.logger = ctx.state.logger.child(more)). */
export function bindRequestLog(ctx: Context, more: Record<string, unknown>): void {
  const log = logs.get(ctx)
  if (!log) ctx.state.logger = ctx.state.logger?.child(more)
  else if (log.made) log.made = log.made.child(more)
  else Object.assign(log.bindings, more)
}

/** One info line with the request's bindings: the same line ctx.state.logger.info writes. */
export function logRequest(ctx: Context, fields: Record<string, unknown>, msg: string): void {
  const log = logs.get(ctx)
  if (!log || log.made) ctx.state.logger?.info(fields, msg)
  else if (log.base.isLevelEnabled('info')) log.base.info({ ...log.bindings, ...fields }, msg)
}
