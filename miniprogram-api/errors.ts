import type { Context, Next } from 'koa'
import { ZodError } from 'zod'
import { DomainError } from '../src/errors.js'

/** One error handler: typed domain errors → {"error":{"code","message"}} with their status; the unknown → logged generic 500. */
export async function errorHandler(ctx: Context, next: Next) {
  try {
    await next()
    if (ctx.status === 404 && ctx.body === undefined) {
      ctx.status = 404
      ctx.body = { error: { code: 'route_not_found', message: '接口不存在' } }
    }
  } catch (err) {
    if (err instanceof DomainError) {
      ctx.status = err.status
      ctx.body = { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } }
      return
    }
    if (err instanceof ZodError) {
      ctx.status = 400
      ctx.body = { error: { code: 'validation_failed', message: '请求参数有误', details: { issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } } }
      return
    }
    const e = err as { status?: number; expose?: boolean; message?: string; type?: string }
    // Body-parser and Koa's own HTTP errors (413, 415, 400 on bad JSON) are client errors, not crashes.
    if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      ctx.status = e.status
      const code = e.status === 413 ? 'payload_too_large' : e.status === 415 ? 'unsupported_media_type' : e.status === 429 ? 'rate_limited' : 'bad_request'
      ctx.body = { error: { code, message: e.status === 413 ? '上传内容过大' : e.status === 429 ? '操作太频繁，请稍后再试' : '请求格式有误' } }
      return
    }
    ctx.state.logger?.error({ err }, 'unhandled error')
    ctx.status = 500
    ctx.body = { error: { code: 'internal_error', message: '服务器开小差了，请稍后再试' } }
  }
}
