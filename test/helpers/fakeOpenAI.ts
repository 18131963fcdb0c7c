/**
 * A fake OpenAI-compatible HTTP server on 127.0.0.1 for tests.
 *
 *   const fake = await startFakeOpenAI()
 *   fake.enqueue(reply.chatJson({ is_request: true, ... }), reply.rateLimited(), { hangMs: 2000 })
 *   const client = new OpenAI({ apiKey: 'test', baseURL: fake.baseURL })
 *   ...
 *   fake.requests[0].json.messages   // what the client sent
 *   await fake.close()
 *
 * Each incoming request (any path) takes the next scripted reply from the queue, in order.
 * When the queue is empty the server answers 500 with `x-should-retry: false`, so a test that
 * scripted too few replies fails loudly instead of hanging or retrying.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** 200 (or `status`) with this JSON body, verbatim. */
export interface JsonReply {
  status?: number
  json: unknown
  headers?: Record<string, string>
}
/** A well-formed chat completion whose first choice has this message content. */
export interface ChatReply {
  chatContent: string | null
  finishReason?: 'stop' | 'length' | 'content_filter'
  headers?: Record<string, string>
}
/** Any status with a raw (possibly non-JSON) body. */
export interface RawReply {
  status: number
  body: string
  headers?: Record<string, string>
}
/** Say nothing for `hangMs`, then send `then` (default: destroy the socket) unless the client gave up first. */
export interface HangReply {
  hangMs: number
  then?: FakeReply
}
/** Destroy the socket without answering: a connection error for the client. */
export interface ResetReply {
  reset: true
}
export type FakeReply = JsonReply | ChatReply | RawReply | HangReply | ResetReply

export interface RecordedRequest {
  method: string
  /** Path and query, e.g. '/v1/chat/completions'. */
  path: string
  headers: IncomingHttpHeaders
  body: Buffer
  /** The body parsed as JSON when it is JSON, else undefined (e.g. multipart uploads). */
  json: any
}

/** Ready-made replies for the common cases. */
export const reply = {
  /** A chat completion whose content is `JSON.stringify(value)`. */
  chatJson: (value: unknown): ChatReply => ({ chatContent: JSON.stringify(value) }),
  chat: (content: string | null): ChatReply => ({ chatContent: content }),
  /** 429 with `retry-after-ms`, which the openai client honours, so retry tests stay fast. */
  rateLimited: (retryAfterMs = 10): JsonReply => ({
    status: 429,
    headers: { 'retry-after-ms': String(retryAfterMs) },
    json: { error: { message: 'Rate limit reached', type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' } },
  }),
  serverError: (retryAfterMs = 10, status = 500): JsonReply => ({
    status,
    headers: { 'retry-after-ms': String(retryAfterMs) },
    json: { error: { message: 'The server had an error while processing your request', type: 'server_error' } },
  }),
  /** Audio transcription answer (response_format json). */
  transcription: (text: string): JsonReply => ({ json: { text } }),
  hang: (hangMs: number, then?: FakeReply): HangReply => ({ hangMs, then }),
}

export interface FakeOpenAI {
  /** e.g. http://127.0.0.1:41234/v1 — pass as `baseURL` to the OpenAI client. */
  readonly baseURL: string
  readonly requests: RecordedRequest[]
  /** Scripted replies not yet consumed. */
  readonly pending: number
  enqueue(...replies: FakeReply[]): FakeOpenAI
  /** The chat messages of the i-th recorded request (default: last). */
  messagesOf(index?: number): Array<{ role: string; content: unknown }>
  /** Parses a recorded multipart request (e.g. audio transcription) into FormData. */
  formData(index?: number): Promise<FormData>
  close(): Promise<void>
}

let completionSeq = 0

function chatCompletionBody(content: string | null, model: unknown, finishReason: string): unknown {
  completionSeq += 1
  return {
    id: `chatcmpl-fake-${completionSeq}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: typeof model === 'string' ? model : 'fake-model',
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: finishReason, logprobs: null },
    ],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}, json = true): void {
  res.writeHead(status, {
    ...(json ? { 'content-type': 'application/json' } : { 'content-type': 'text/plain' }),
    ...headers,
  })
  res.end(body)
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const queue: FakeReply[] = []
  const requests: RecordedRequest[] = []
  const timers = new Set<NodeJS.Timeout>()

  const answer = (res: ServerResponse, r: FakeReply, recorded: RecordedRequest): void => {
    if ('reset' in r) {
      res.socket?.destroy()
    } else if ('hangMs' in r) {
      const timer = setTimeout(() => {
        timers.delete(timer)
        if (res.destroyed || res.writableEnded) return
        if (r.then) answer(res, r.then, recorded)
        else res.socket?.destroy()
      }, r.hangMs)
      timers.add(timer)
      // The client aborting (its timeout) closes the socket; stop waiting.
      res.on('close', () => {
        clearTimeout(timer)
        timers.delete(timer)
      })
    } else if ('chatContent' in r) {
      send(res, 200, JSON.stringify(chatCompletionBody(r.chatContent, recorded.json?.model, r.finishReason ?? 'stop')), r.headers)
    } else if ('json' in r) {
      send(res, r.status ?? 200, JSON.stringify(r.json), r.headers)
    } else {
      send(res, r.status, r.body, r.headers, false)
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      let json: any
      if (String(req.headers['content-type'] ?? '').includes('application/json')) {
        try {
          json = JSON.parse(body.toString('utf8'))
        } catch {
          json = undefined
        }
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json }
      requests.push(recorded)
      const next = queue.shift()
      if (!next) {
        send(res, 500, JSON.stringify({ error: { message: `fake OpenAI has no scripted reply for ${recorded.method} ${recorded.path}` } }), {
          'x-should-retry': 'false',
        })
        return
      }
      answer(res, next, recorded)
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  const pick = (index?: number): RecordedRequest => {
    const r = requests.at(index ?? -1)
    if (!r) throw new Error(`fake OpenAI recorded no request at index ${index ?? -1} (has ${requests.length})`)
    return r
  }

  const fake: FakeOpenAI = {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    get pending() {
      return queue.length
    },
    enqueue(...replies) {
      queue.push(...replies)
      return fake
    },
    messagesOf(index) {
      const messages = pick(index).json?.messages
      if (!Array.isArray(messages)) throw new Error('recorded request has no chat messages')
      return messages
    },
    async formData(index) {
      const r = pick(index)
      return new Response(new Uint8Array(r.body), { headers: { 'content-type': String(r.headers['content-type'] ?? '') } }).formData()
    },
    async close() {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
    },
  }
  return fake
}
