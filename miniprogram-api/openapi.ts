import { z } from 'zod'

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** One documented route. Paths use Koa syntax (`/api/requests/:id`); body/query/response are zod schemas. */
export interface RouteDoc {
  method: HttpMethod
  path: string
  summary: string
  description?: string
  tags?: string[]
  /** How the caller authenticates: a mini-program JWT (default), an Open311 api_key, or nothing. */
  auth?: 'bearer' | 'apiKey' | 'none'
  body?: z.ZodType
  /** Body media type when not JSON, e.g. multipart/form-data for uploads (then describe it with `body`). */
  bodyType?: string
  query?: z.ZodType
  response?: z.ZodType
  /** The success status (default 200). */
  status?: number
  /** Error statuses worth listing (400 and 500 are implied). */
  errors?: number[]
  /** Non-JSON success body, e.g. image/* or text/csv. */
  responseType?: string
}

const routes = new Map<string, RouteDoc>()

/** Adds (or replaces) a route in the OpenAPI document served at /api/openapi.json. Safe to call more than once. */
export function registerRoute(doc: RouteDoc): void {
  routes.set(`${doc.method} ${doc.path}`, doc)
}

export function registeredRoutes(): RouteDoc[] {
  return [...routes.values()]
}

/** zod → JSON Schema (draft 2020-12, which OpenAPI 3.1 uses), the input side for requests. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  try {
    const s = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>
    delete s.$schema
    return s
  } catch {
    return {}
  }
}

const ERROR_NAMES: Record<number, string> = {
  400: 'Invalid input', 401: 'Not signed in or token expired', 403: 'Not allowed', 404: 'Not found', 409: 'Conflict with the current state',
  413: 'Payload too large', 415: 'Unsupported media type', 422: 'Not processable', 429: 'Rate limited', 500: 'Server error', 502: 'WeChat unavailable', 503: 'Not configured',
}

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z_]\w*)/g, '{$1}')

function queryParameters(query: z.ZodType | undefined): unknown[] {
  if (!query) return []
  const s = jsonSchema(query, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] }
  return Object.entries(s.properties ?? {}).map(([name, schema]) => ({
    name, in: 'query', required: s.required?.includes(name) ?? false, schema,
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
  }))
}

/** The OpenAPI 3.1 document of every registered route. */
export function openApiDocument(info: { title?: string; version?: string } = {}): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const r of [...routes.values()].sort((a, b) => a.path.localeCompare(b.path))) {
    const path = toOpenApiPath(r.path)
    const pathParams = [...r.path.matchAll(/:([A-Za-z_]\w*)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }))
    const status = String(r.status ?? 200)
    const responses: Record<string, unknown> = {
      [status]: {
        description: 'OK',
        ...(r.response ? { content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } } : r.responseType ? { content: { [r.responseType]: {} } } : {}),
      },
    }
    for (const code of [...new Set([400, ...(r.auth === 'none' ? [] : [401]), ...(r.errors ?? []), 500])].sort()) {
      responses[String(code)] = { description: ERROR_NAMES[code] ?? 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
    }
    paths[path] ??= {}
    paths[path]![r.method] = {
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      ...(r.tags ? { tags: r.tags } : {}),
      operationId: `${r.method}${path.replace(/[{}]/g, '').split(/[/.-]/).filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('')}`,
      security: r.auth === 'none' ? [] : r.auth === 'apiKey' ? [{ apiKey: [] }] : [{ bearer: [] }],
      parameters: [...pathParams, ...queryParameters(r.query)],
      ...(r.body ? { requestBody: { required: true, content: { [r.bodyType ?? 'application/json']: { schema: jsonSchema(r.body, 'input') } } } } : {}),
      responses,
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title ?? 'jiesu API', version: info.version ?? '1', description: '接诉即办: the mini-program API, the 书记\'s dashboard and Open311.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKey: { type: 'apiKey', in: 'query', name: 'api_key' },
      },
      schemas: {
        Error: {
          type: 'object', required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } } } },
        },
      },
    },
    paths,
  }
}
