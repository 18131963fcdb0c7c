import { createHash, randomUUID, timingSafeEqual } from 'node:crypto'
import type Router from '@koa/router'
import type { Context, Next } from 'koa'
import type { EntityManager } from 'typeorm'
import { And, In, LessThan, MoreThanOrEqual } from 'typeorm'
import { ZodError } from 'zod'
import { expectationText } from '../../../src/community/sla.js'
import { CATEGORY_NAMES } from '../../../src/community/taxonomy.js'
import type { AppContext } from '../../../src/context.js'
import { Community, Grid, RequestReporter, Resident, ServiceRequest } from '../../../src/db/entities/index.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { DomainError } from '../../../src/errors.js'
import { extractLocation } from '../../../src/intake/location.js'
import { OPEN_STATUSES, type RequestStatus } from '../../../src/requests/stateMachine.js'
import { depsOf } from '../../deps.js'
import { rateLimit } from '../../middleware/rateLimit.js'
import { open311Error, presentOpen311Request, type Open311View } from '../../presenters/open311.js'
import { readFields } from '../secretary/body.js'
import { parseInstant } from '../secretary/period.js'
import { createRequestBody, jurisdictionQuery, listRequestsQuery, requestIdParams, type ListRequestsQuery } from './schema.js'
import { OPEN311_SERVICES } from './services.js'
import { registerOpen311Docs } from './docs.js'
import { resolveOpen311Reporter } from './reporter.js'

/*
 * Open311 GeoReport v2 (JSON) under /open311/v2, so city platforms (12345 and the like) can read our
 * requests and file new ones. Errors follow the spec: an array of {code, description} with the HTTP status.
 *
 * - jurisdiction_id is a community's id or name; optional while the server hosts one community.
 * - service_request_id is the community's request number (工单号).
 * - Public lists leave out withdrawn (cancelled) and merged requests; requests/{id}.json shows any.
 * - POST needs api_key = OPEN311_API_KEY (403 otherwise, and always when it is not configured).
 */

export const OPEN311_PREFIX = '/open311/v2'
const MAX_RESULTS = 1000
const MAX_DAYS = 90
const DAY = 24 * 3600_000
const MAX_BODY = 64 * 1024
const CLOSED_STATUSES: RequestStatus[] = ['resolved', 'closed', 'merged', 'cancelled']
/** Withdrawn or folded into another request: not part of the public list. */
const UNLISTED: RequestStatus[] = ['cancelled', 'merged']

/** An Open311 error: its description is what the client sees. */
export class Open311Failure extends DomainError {
  constructor(status: number, description: string) {
    super('open311_error', description, status)
  }
}

/** Turns every failure under /open311/v2 into the spec's error array, never a 500 for bad input. */
export async function open311Errors(ctx: Context, next: Next) {
  try {
    await next()
  } catch (err) {
    if (err instanceof ZodError) {
      ctx.status = 400
      ctx.body = err.issues.map((i) => ({ code: 400, description: `${i.path.join('.') || 'request'}: ${i.message}` }))
      return
    }
    if (err instanceof DomainError) {
      ctx.status = err.status
      ctx.body = open311Error(err.status, err instanceof Open311Failure ? err.message : `${err.code}: ${err.message}`)
      return
    }
    const e = err as { status?: number; message?: string }
    if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      ctx.status = e.status
      ctx.body = open311Error(e.status, e.status === 413 ? 'request body too large' : 'bad request')
      return
    }
    ctx.state.logger?.error({ err }, 'open311: unhandled error')
    ctx.status = 500
    ctx.body = open311Error(500, 'internal server error')
  }
}

const sha = (s: string) => createHash('sha256').update(s).digest()

function checkApiKey(expected: string | undefined, given: unknown) {
  if (!expected) throw new Open311Failure(403, 'api_key: submitting requests is disabled on this server (OPEN311_API_KEY is not configured)')
  if (typeof given !== 'string' || !given) throw new Open311Failure(403, 'api_key: required')
  if (!timingSafeEqual(sha(given), sha(expected))) throw new Open311Failure(403, 'api_key: invalid')
}

async function resolveCommunity(em: EntityManager, jurisdictionId: string | undefined): Promise<Community> {
  if (jurisdictionId) {
    const byId = /^\d+$/.test(jurisdictionId) ? await em.findOne(Community, { where: { id: Number(jurisdictionId) } }) : null
    const c = byId ?? (await em.findOne(Community, { where: { name: jurisdictionId } }))
    if (!c) throw new Open311Failure(404, `jurisdiction_id: unknown jurisdiction "${jurisdictionId}"`)
    return c
  }
  const all = await em.find(Community, { order: { id: 'ASC' }, take: 2 })
  if (all.length === 1) return all[0]!
  if (!all.length) throw new Open311Failure(404, 'no jurisdiction is configured on this server')
  throw new Open311Failure(400, 'jurisdiction_id: required (this server hosts several communities)')
}

async function viewOf(em: EntityManager, c: Community, requests: ServiceRequest[]): Promise<Open311View> {
  const grids = await em.find(Grid, { where: { communityId: c.id } })
  const mergedInto = [...new Set(requests.map((r) => r.mergedIntoId).filter((x): x is number => x != null))]
  const targets = mergedInto.length ? await em.find(ServiceRequest, { where: { id: In(mergedInto) }, select: { id: true, no: true } }) : []
  const reporterNames = new Map<number, string[]>()
  if (requests.length) {
    const rows: { requestId: number; name: string | null; wechatName: string | null }[] = await em.createQueryBuilder(RequestReporter, 'rr')
      .innerJoin(Resident, 'p', 'p.id = rr.resident_id')
      .select(['rr.request_id AS "requestId"', 'p.name AS "name"', 'p.wechat_name AS "wechatName"'])
      .where('rr.request_id IN (:...ids)', { ids: requests.map((r) => r.id) })
      .getRawMany()
    for (const row of rows) {
      const list = reporterNames.get(Number(row.requestId)) ?? []
      for (const n of [row.name, row.wechatName]) if (n) list.push(n)
      reporterNames.set(Number(row.requestId), list)
    }
  }
  return {
    reporterNames,
    timeZone: c.timezone, communityName: c.name,
    gridNames: new Map(grids.map((g) => [g.id, g.name])), numbers: new Map(targets.map((t) => [t.id, t.no])),
  }
}

/** start_date/end_date per the spec: both optional, the last 90 days by default, never more than 90 days. */
function dateRange(q: ListRequestsQuery, tz: string, now: Date) {
  let from = q.start_date ? parseInstant(q.start_date, tz, 'start') : null
  let to = q.end_date ? parseInstant(q.end_date, tz, 'end') : null
  if (!from && !to) to = now
  if (!from) from = new Date(to!.getTime() - MAX_DAYS * DAY)
  if (!to) to = new Date(from.getTime() + MAX_DAYS * DAY)
  if (from >= to) throw new Open311Failure(400, 'start_date: must be before end_date')
  if (to.getTime() - from.getTime() > MAX_DAYS * DAY) throw new Open311Failure(400, `end_date: the date range may not span more than ${MAX_DAYS} days`)
  return { from, to }
}

function statusesFor(wanted: ('open' | 'closed')[] | undefined): RequestStatus[] {
  const set = new Set<RequestStatus>()
  for (const w of wanted ?? ['open', 'closed']) for (const s of w === 'open' ? OPEN_STATUSES : CLOSED_STATUSES) set.add(s)
  return [...set].filter((s) => !UNLISTED.includes(s))
}

/** Mounts Open311. Intake (classifier and runIntake) comes from the API's deps, as for the mini-program. */
export function open311Routes(router: Router, app: AppContext) {
  const P = OPEN311_PREFIX
  registerOpen311Docs(P)

  router.get(`${P}/services.json`, open311Errors, async (ctx) => {
    ctx.body = OPEN311_SERVICES
  })

  router.get(`${P}/requests.json`, open311Errors, async (ctx) => {
    const q = listRequestsQuery.parse(ctx.query)
    const em = app.db.manager
    const community = await resolveCommunity(em, q.jurisdiction_id)
    const period = q.service_request_id ? null : dateRange(q, community.timezone, app.clock.now())
    const where = !period
      ? { communityId: community.id, no: In(q.service_request_id!) }
      : {
          communityId: community.id,
          createdAt: And(MoreThanOrEqual(period.from), LessThan(period.to)),
          status: In(statusesFor(q.status)),
          ...(q.service_code ? { category: In(q.service_code) } : {}),
        }
    const rows = await em.find(ServiceRequest, { where, order: { createdAt: 'DESC', id: 'DESC' }, take: MAX_RESULTS })
    const view = await viewOf(em, community, rows)
    ctx.body = rows.map((r) => presentOpen311Request(r, view))
  })

  router.get(`${P}/requests/:id.json`, open311Errors, async (ctx) => {
    const { id } = requestIdParams.parse(ctx.params)
    const q = jurisdictionQuery.parse(ctx.query)
    const em = app.db.manager
    const community = await resolveCommunity(em, q.jurisdiction_id)
    const r = await em.findOne(ServiceRequest, { where: { communityId: community.id, no: id } })
    if (!r) throw new Open311Failure(404, `service_request_id: no service request "${id}"`)
    ctx.body = [presentOpen311Request(r, await viewOf(em, community, [r]))]
  })

  router.post(`${P}/requests.json`, open311Errors, rateLimit({ bucket: 'open311' }), async (ctx) => {
    const fields = await readFields(ctx, MAX_BODY)
    checkApiKey(app.config.OPEN311_API_KEY, fields.api_key ?? ctx.query.api_key)
    const input = createRequestBody.parse(fields)
    const community = await resolveCommunity(app.db.manager, input.jurisdiction_id)
    const location = input.address_string ? buildingOf(input.address_string) : null
    const reporter = await inTransaction(app.db, (em) => resolveOpen311Reporter(em, {
      communityId: community.id, phone: input.phone, email: input.email, deviceId: input.device_id,
      name: [input.last_name, input.first_name].filter(Boolean).join(''),
    }, { encryptionKey: app.config.DATA_ENCRYPTION_KEY }))
    const deps = depsOf(ctx)
    const result = await deps.runIntake({ ...app, classifier: deps.classifier }, {
      communityId: community.id, source: 'open311', text: input.description, residentId: reporter.id,
      causeKey: `open311:${randomUUID()}`, acknowledge: 'none',
      hints: { category: input.service_code, building: location?.building ?? null, unit: location?.unit ?? null, room: location?.room ?? null },
    })
    if (result.kind === 'chatter') throw new Open311Failure(400, 'description: not accepted as a service request')
    const r = result.request
    ctx.state.logger?.info({ requestNo: r.no, kind: result.kind, communityId: community.id }, 'open311: request received')
    ctx.body = [{
      service_request_id: r.no,
      service_notice: result.kind === 'attached'
        ? `该问题已有人反映，已并入工单 ${r.no}（${CATEGORY_NAMES[r.category]}），将一并处理。`
        : `已受理：工单 ${r.no}（${CATEGORY_NAMES[r.category]}），${expectationText(r.urgency, community.settings)}。`,
      account_id: null,
    }]
  })

  // Anything else under the prefix: a 404 in the spec's format, not the API's.
  router.all(`${P}/{*rest}`, open311Errors, async () => {
    throw new Open311Failure(404, 'not found: this server offers services.json, requests.json and requests/{id}.json (JSON only)')
  })
}

/** "3号楼", "幸福里3号楼2单元502" or just "3". */
function buildingOf(address: string) {
  const loc = extractLocation(address)
  if (loc.building) return loc
  const bare = /^\s*(\d{1,3}|[A-Za-z])\s*$/.exec(address)
  return bare ? { building: bare[1]!.toUpperCase(), unit: null, room: null } : null
}
