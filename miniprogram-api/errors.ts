import type { Context, Next } from 'koa'
import { QueryFailedError } from 'typeorm'
import { ZodError } from 'zod'
import { DomainError } from '../src/errors.js'
import { open311Error } from './presenters/open311.js'

/** Codes and Chinese messages for the HTTP errors that do not come from the domain. */
const HTTP_ERRORS: Record<number, { code: string; message: string }> = {
  400: { code: 'bad_request', message: '请求格式有误' },
  401: { code: 'unauthorized', message: '请先登录' },
  403: { code: 'forbidden', message: '没有权限执行此操作' },
  404: { code: 'route_not_found', message: '接口不存在' },
  405: { code: 'method_not_allowed', message: '不支持该请求方式' },
  409: { code: 'conflict', message: '操作冲突，请刷新后重试' },
  413: { code: 'payload_too_large', message: '上传内容过大' },
  415: { code: 'unsupported_media_type', message: '不支持的内容格式' },
  429: { code: 'rate_limited', message: '操作太频繁，请稍后再试' },
}

const isUniqueViolation = (err: unknown) => {
  if (!(err instanceof QueryFailedError)) return false
  const d = err.driverError as { code?: string } | undefined
  return d?.code === 'ER_DUP_ENTRY' || d?.code === 'SQLITE_CONSTRAINT_UNIQUE' || d?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

/**
 * One error handler: typed domain errors → {"error":{"code","message"}} with their status; the unknown → logged
 * generic 500. Under /open311/ every error, whichever layer raised it (body parsing, rate limits, unknown
 * methods), is answered in Open311's own format: [{"code","description"}].
 */
export async function errorHandler(ctx: Context, next: Next) {
  await apiErrors(ctx, next)
  const body = ctx.body as { error?: { code: string; message: string } } | undefined
  if (ctx.path.startsWith('/open311/') && ctx.status >= 400 && body && typeof body === 'object' && !Array.isArray(body) && body.error) {
    const status = ctx.status
    ctx.body = open311Error(status, `${body.error.code}: ${body.error.message}`)
    ctx.status = status
  }
}

async function apiErrors(ctx: Context, next: Next) {
  try {
    await next()
    if ((ctx.status === 404 || ctx.status === 405) && (ctx.body === undefined || ctx.body === null)) {
      const status = ctx.status
      ctx.body = { error: HTTP_ERRORS[status] }
      ctx.status = status
    }
  } catch (err) {
    if (err instanceof DomainError) {
      if (err.status >= 500) ctx.state.logger?.warn({ code: err.code, details: err.details }, err.message)
      ctx.status = err.status
      ctx.body = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } }
      return
    }
    if (err instanceof ZodError) {
      ctx.status = 400
      ctx.body = { error: { code: 'validation_failed', message: '请求参数有误', details: { issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } } }
      return
    }
    // Lost a race on a unique key (two identical submissions at once): a conflict, not a crash.
    if (isUniqueViolation(err)) {
      ctx.state.logger?.info({ err: (err as Error).message }, 'unique violation answered as 409')
      ctx.status = 409
      ctx.body = { error: HTTP_ERRORS[409] }
      return
    }
    const e = err as { status?: number; expose?: boolean; message?: string; type?: string }
    // Koa's own HTTP errors (ctx.throw, 413, 415, 400) are client errors, not crashes.
    if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      ctx.status = e.status
      ctx.body = { error: HTTP_ERRORS[e.status] ?? HTTP_ERRORS[400] }
      return
    }
    ctx.state.logger?.error({ err }, 'unhandled error')
    ctx.status = 500
    ctx.body = { error: { code: 'internal_error', message: '服务器开小差了，请稍后再试' } }
  }
}
