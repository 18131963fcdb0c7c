import type { Context } from 'koa'
import { DomainError } from '../../../src/errors.js'
import { readRawBody as readRequestBody } from '../../middleware/body.js'

/**
 * Request bodies the JSON parser leaves alone: YAML text (the community file) and Open311's
 * application/x-www-form-urlencoded. Uses what a body parser already put on ctx.request.body,
 * else reads the stream itself, with a size limit (413).
 */
export async function readRawBody(ctx: Context, limitBytes: number): Promise<string | undefined> {
  if (ctx.req.readableEnded) return undefined // a body parser got here first
  return (await readRequestBody(ctx.req, limitBytes)).toString('utf8')
}

const parsed = (ctx: Context) => (ctx.request as { body?: unknown }).body

/** JSON or form fields as a plain object; a body parser's result is used when present. */
export async function readFields(ctx: Context, limitBytes: number): Promise<Record<string, unknown>> {
  const already = parsed(ctx)
  if (already !== undefined && already !== null && typeof already === 'object' && !Buffer.isBuffer(already)) return already as Record<string, unknown>
  const raw = typeof already === 'string' ? already : await readRawBody(ctx, limitBytes)
  if (!raw || !raw.trim()) return {}
  if (ctx.is('application/json', '+json')) {
    try {
      const v = JSON.parse(raw) as unknown
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>
    } catch { /* reported below */ }
    throw new DomainError('invalid_json', '请求内容不是合法的 JSON 对象', 400)
  }
  // Form-encoded (Open311's format) and anything unlabelled.
  return Object.fromEntries(new URLSearchParams(raw))
}

/** The YAML text of an import: a text/yaml (or text/plain) body, or JSON {"yaml": "…"}. */
export async function readYamlBody(ctx: Context, limitBytes: number): Promise<string> {
  const already = parsed(ctx)
  if (ctx.is('application/json', '+json')) {
    const fields = await readFields(ctx, limitBytes)
    if (typeof fields.yaml !== 'string') throw new DomainError('validation_failed', '请在 "yaml" 字段中提供社区配置文件内容', 400, { issues: [{ path: 'yaml', message: 'expected a string' }] })
    return fields.yaml
  }
  if (typeof already === 'string') return already
  if (Buffer.isBuffer(already)) return already.toString('utf8')
  return (await readRawBody(ctx, limitBytes)) ?? ''
}
