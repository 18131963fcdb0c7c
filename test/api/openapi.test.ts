import type Router from '@koa/router'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestApi, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

/** The (method, path) pairs the Koa router really serves, in OpenAPI path syntax. */
function servedRoutes(t: TestApi): string[] {
  const mw = t.app.middleware.find((m) => (m as { router?: Router }).router) as { router: Router } | undefined
  if (!mw) throw new Error('no router mounted')
  const routes: string[] = []
  for (const layer of mw.router.stack as { path: string | RegExp; methods: string[] }[]) {
    if (typeof layer.path !== 'string' || layer.path.includes('{*')) continue // catch-alls answer 404s
    if (layer.path.startsWith('/console')) continue // the web console's HTML pages, not the API
    for (const m of layer.methods) {
      if (m === 'HEAD') continue
      routes.push(`${m.toLowerCase()} ${layer.path.replace(/:([A-Za-z_]\w*)/g, '{$1}')}`)
    }
  }
  return [...new Set(routes)].sort()
}

describeEachDb('OpenAPI document', (kind) => {
  let t: TestApi
  let doc: any
  beforeAll(async () => {
    t = await startTestApi(kind)
    const res = await t.call('GET', '/api/openapi.json')
    expect(res.status).toBe(200)
    doc = res.json
  })
  afterAll(() => t.close())

  it('documents exactly the routes the server serves', () => {
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).filter((m) => (METHODS as readonly string[]).includes(m)).map((m) => `${m} ${path}`)).sort()
    const served = servedRoutes(t)
    expect(served.length).toBeGreaterThan(40)
    expect(documented).toEqual(served)
  })

  it('is well-formed OpenAPI 3.1: unique operation ids, declared path parameters, error and success responses', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/)
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) })
    const ids = new Set<string>()
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method} ${path}`
        expect(ids.has(op.operationId), `${where}: duplicate operationId ${op.operationId}`).toBe(false)
        ids.add(op.operationId)
        for (const p of params) expect(op.parameters.some((x: any) => x.in === 'path' && x.name === p && x.required === true), `${where}: path parameter ${p}`).toBe(true)
        for (const sec of op.security) for (const name of Object.keys(sec)) expect(doc.components.securitySchemes[name], `${where}: security ${name}`).toBeDefined()
        const success = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s))
        expect(success, `${where}: one success response`).toHaveLength(1)
        for (const [status, r] of Object.entries(op.responses as Record<string, any>)) {
          expect(typeof r.description, `${where} ${status}: description`).toBe('string')
          if (/^[45]/.test(status) && !path.startsWith('/open311/')) expect(r.content['application/json'].schema.$ref).toBe('#/components/schemas/Error')
        }
      }
    }
  })

  it('every JSON endpoint has a response schema generated from zod, and every body a request schema', () => {
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method} ${path}`
        const status = Object.keys(op.responses).find((s) => /^2\d\d$/.test(s))!
        const content = op.responses[status].content as Record<string, { schema?: any }> | undefined
        expect(content, `${where}: response content`).toBeDefined()
        const json = content!['application/json']
        if (json) {
          expect(json.schema, `${where}: response schema`).toBeDefined()
          expect(json.schema.type ?? json.schema.anyOf ?? json.schema.additionalProperties, `${where}: a real schema, not {}`).toBeDefined()
        } else {
          expect(Object.keys(content!)[0], `${where}: non-JSON success type`).toMatch(/^(image\/\*|text\/csv|text\/html)$/)
        }
        if (op.requestBody) {
          const [type, body] = Object.entries(op.requestBody.content as Record<string, { schema: any }>)[0]!
          expect(body.schema.type ?? body.schema.anyOf, `${where}: ${type} body schema`).toBeDefined()
        }
      }
    }
    // spot checks of schemas that came from zod
    const dashboard = doc.paths['/api/dashboard'].get.responses['200'].content['application/json'].schema
    expect(dashboard.properties.byCategory.items.properties).toHaveProperty('resolutionRate')
    expect(dashboard.properties.rates.properties.satisfaction.required).toEqual(['numerator', 'denominator', 'rate'])
    const staff = doc.paths['/api/admin/staff'].get.responses['200'].content['application/json'].schema
    expect(staff.properties.items.items.properties.role.enum).toContain('grid_leader')
    const open311 = doc.paths['/open311/v2/requests.json'].get.responses['200'].content['application/json'].schema
    expect(open311.items.required).toEqual(expect.arrayContaining(['service_request_id', 'status', 'agency_responsible', 'requested_datetime', 'lat', 'long', 'media_url']))
  })
})
