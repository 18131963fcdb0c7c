import busboy from 'busboy'
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
 * Streams a multipart/form-data body: each file is handed to `onFile` (which stores it) as soon as it has
 * arrived, one at a time, so a request holds at most one file in memory, never the whole body. At most
 * `maxBytes` in all (by Content-Length up front, else while streaming), `maxFileBytes` a file (413) and
 * `maxFiles` files (400). Returns what onFile returned, in order; on an error, what was already handed over
 * is the caller's to clean up (onFile can record it).
 */
export async function readMultipart<T>(ctx: Context, o: { maxBytes: number; maxFileBytes: number; maxFiles: number }, onFile: (f: UploadedFile, index: number) => Promise<T>): Promise<T[]> {
  if (mediaType(ctx) !== 'multipart/form-data') throw new UnsupportedMediaTypeError('请以 multipart/form-data 上传图片')
  const req = ctx.req
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > o.maxBytes) {
    req.resume()
    throw new PayloadTooLargeError(o.maxBytes)
  }
  if (String(req.headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity') throw new UnsupportedMediaTypeError('不支持压缩的请求体')
  let parser: ReturnType<typeof busboy>
  try {
    // busboy signals 'limit' on reaching fileSize: one byte more than a file may have.
    parser = busboy({ headers: req.headers, limits: { fileSize: o.maxFileBytes + 1, files: o.maxFiles, fields: 50, parts: o.maxFiles + 50 } })
  } catch {
    throw new DomainError('invalid_multipart', '上传内容格式有误', 400)
  }
  return new Promise<T[]>((resolve, reject) => {
    const results: T[] = []
    let chain: Promise<void> = Promise.resolve()
    let failed = false
    let total = 0
    let count = 0
    const fail = (err: Error) => {
      if (failed) return
      failed = true
      // The parser keeps reading (and discarding) the rest, so the client can read our answer.
      chain.catch(() => undefined).then(() => reject(err))
    }
    req.on('data', (chunk: Buffer) => {
      total += chunk.length
      if (total > o.maxBytes) fail(new PayloadTooLargeError(o.maxBytes))
    })
    parser.on('file', (field, stream, info) => {
      const index = count++
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => { if (!failed) chunks.push(c) })
      stream.on('error', () => fail(new DomainError('invalid_multipart', '上传内容格式有误', 400)))
      stream.on('limit', () => fail(new PayloadTooLargeError(o.maxFileBytes, `每张图片不能超过 ${Math.round(o.maxFileBytes / 1024 / 1024)} MB`)))
      stream.on('close', () => {
        if (failed) return
        const file: UploadedFile = { field, filename: info.filename ?? '', declaredType: info.mimeType ?? '', data: Buffer.concat(chunks) }
        chunks.length = 0
        chain = chain.then(async () => {
          if (failed) return
          results[index] = await onFile(file, index)
        })
        chain.catch((e: Error) => fail(e))
      })
    })
    parser.on('filesLimit', () => fail(new DomainError('too_many_files', `一次最多上传 ${o.maxFiles} 张图片`, 400, { maxFiles: o.maxFiles })))
    parser.on('error', () => fail(new DomainError('invalid_multipart', '上传内容格式有误', 400)))
    parser.on('close', () => {
      chain.then(() => { if (!failed) resolve(results.filter((r) => r !== undefined)) }, () => undefined)
    })
    req.on('aborted', () => fail(new DomainError('bad_request', '请求中断', 400)))
    req.pipe(parser)
  })
}
