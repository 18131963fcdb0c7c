import type { IncomingMessage } from 'node:http'
import { parse as parseQueryString } from 'node:querystring'
import type { Context, Next } from 'koa'
import { DomainError } from '../../src/errors.js'

export const JSON_LIMIT_BYTES = 64 * 1024

export class PayloadTooLargeError extends DomainError {
  constructor(limit: number, message = '提交的内容过大') {
    super('payload_too_large', message, 413, { limitBytes: limit })
  }
}
class UnsupportedMediaTypeError extends DomainError {
  constructor(message = '请以 JSON 格式提交（Content-Type: application/json）') {
    super('unsupported_media_type', message, 415)
  }
}

const hasBody = (req: IncomingMessage) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0

/** Reads the raw body, refusing more than `limit` bytes (by Content-Length up front, else while streaming). */
export async function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) {
    req.resume() // discard the rest so the client can read our 413
    throw new PayloadTooLargeError(limit)
  }
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase()
  if (encoding !== 'identity') throw new UnsupportedMediaTypeError('不支持压缩的请求体')
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const finish = (err: Error | null, value?: Buffer) => {
      if (done) return
      done = true
      req.off('data', onData)
      if (err) { req.resume(); reject(err) } else resolve(value!)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) finish(new PayloadTooLargeError(limit))
      else chunks.push(chunk)
    }
    req.on('data', onData)
    req.once('end', () => finish(null, Buffer.concat(chunks)))
    req.once('error', (e) => finish(new DomainError('bad_request', '请求中断', 400, { reason: e.message })))
    req.once('aborted', () => finish(new DomainError('bad_request', '请求中断', 400)))
  })
}

const mediaType = (ctx: Context) => String(ctx.get('content-type')).split(';')[0]!.trim().toLowerCase()
const isJsonType = (t: string) => t === 'application/json' || /^application\/[\w.+-]+\+json$/.test(t)

/**
 * Parses JSON (and, for Open311 clients, url-encoded forms) request bodies into ctx.request.body.
 * Empty bodies become undefined. Other content types are a 415, except on the routes `opts.raw`
 * names (uploads, YAML import), which read their own bodies. Malformed JSON is a 400, more than
 * `limit` bytes a 413 — never a 500.
 */
export function bodyParser(opts: { limit?: number; raw?: (ctx: Context) => boolean } = {}) {
  const limit = opts.limit ?? JSON_LIMIT_BYTES
  return async (ctx: Context, next: Next) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(ctx.method) || !hasBody(ctx.req)) return next()
    const type = mediaType(ctx)
    const parsable = isJsonType(type) || type === 'application/x-www-form-urlencoded'
    if (!parsable && opts.raw?.(ctx)) return next()
    if (!parsable) throw new UnsupportedMediaTypeError()
    const raw = await readRawBody(ctx.req, limit)
    const text = raw.toString('utf8')
    let body: unknown
    if (type === 'application/x-www-form-urlencoded') body = { ...parseQueryString(text) }
    else if (text.trim() === '') body = undefined
    else {
      try {
        body = JSON.parse(text)
      } catch {
        throw new DomainError('invalid_json', '请求内容不是有效的 JSON', 400)
      }
    }
    ;(ctx.request as { body?: unknown }).body = body
    await next()
  }
}

export interface UploadedFile { field: string; filename: string; declaredType: string; data: Buffer }

/**
 * Reads a multipart/form-data body (at most `maxBytes` in all) with the platform's own parser.
 * Returns the files; a file over `maxFileBytes` is a 413, more than `maxFiles` files a 400.
 */
export async function readMultipart(ctx: Context, o: { maxBytes: number; maxFileBytes: number; maxFiles: number }): Promise<UploadedFile[]> {
  if (mediaType(ctx) !== 'multipart/form-data') throw new UnsupportedMediaTypeError('请以 multipart/form-data 上传图片')
  const raw = await readRawBody(ctx.req, o.maxBytes)
  let form: FormData
  try {
    form = await new Response(new Uint8Array(raw), { headers: { 'content-type': ctx.get('content-type') } }).formData()
  } catch {
    throw new DomainError('invalid_multipart', '上传内容格式有误', 400)
  }
  const files: UploadedFile[] = []
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') continue
    if (files.length >= o.maxFiles) throw new DomainError('too_many_files', `一次最多上传 ${o.maxFiles} 张图片`, 400, { maxFiles: o.maxFiles })
    if (value.size > o.maxFileBytes) throw new PayloadTooLargeError(o.maxFileBytes, `每张图片不能超过 ${Math.round(o.maxFileBytes / 1024 / 1024)} MB`)
    files.push({ field, filename: value.name, declaredType: value.type, data: Buffer.from(await value.arrayBuffer()) })
  }
  return files
}
