import { Readable } from 'node:stream'
import type Router from '@koa/router'
import type { Context, Next } from 'koa'
import { loadCommunity, staffById } from '../../../src/community/snapshot.js'
import type { AppContext } from '../../../src/context.js'
import { Digest, ServiceRequest } from '../../../src/db/entities/index.js'
import { afterKeyset, decodeKeyset, encodeKeyset } from '../../../src/db/keyset.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { NotFoundError } from '../../../src/errors.js'
import { renderDigestHtml } from '../../../src/jobs/digest.js'
import { confirmTriage } from '../../../src/requests/admin.js'
import { requestsCreatedIn } from '../../../src/requests/periodRows.js'
import { computeStats } from '../../../src/stats/rates.js'
import { escapeHtml } from '../../../src/stats/format.js'
import { localDate } from '../../../src/stats/period.js'
import { staffOf } from '../../deps.js'
import { requireStaff } from '../../middleware/auth.js'
import { rateLimit } from '../../middleware/rateLimit.js'
import { inputOf, validate } from '../../middleware/validate.js'
import { presentDashboard } from '../../presenters/dashboard.js'
import { requestsCsvChunks, type CsvContext } from '../../presenters/requestsCsv.js'
import { csvWorkerDatabase, requestsCsvInWorkers, takeCsvWorkerSlot } from '../../presenters/requestsCsvWorkers.js'
import { presentDigest, presentDigestSummary, presentTriageItem } from '../../presenters/secretary.js'
import { resolvePeriod } from './period.js'
import { digestListInput, idInput, periodInput, triageInput, triageListInput } from './schema.js'

export const DASHBOARD_DEFAULT_DAYS = 30
export const MAX_PERIOD_DAYS = 366
/** shorter periods are written on the request's own thread: starting workers costs ~0.3 s */
export const CSV_WORKER_MIN_DAYS = 7

/** The HTML digest is opened from a link (WeChat's in-app browser cannot add headers): ?token= stands in for the header. */
async function tokenFromQuery(ctx: Context, next: Next) {
  const token = ctx.query.token
  if (!ctx.get('authorization') && typeof token === 'string' && token) ctx.request.header.authorization = `Bearer ${token}`
  await next()
}

/** The digest job's page; a digest whose figures it cannot draw still shows its text. */
function digestPage(d: Digest, ctx: Context): string {
  try {
    return renderDigestHtml(d)
  } catch (err) {
    ctx.state.logger?.warn({ err, digestId: d.id }, 'digest figures could not be rendered; serving its text')
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>社区周报</title></head>`
      + `<body><pre style="white-space:pre-wrap;font-family:sans-serif">${escapeHtml(d.text)}</pre></body></html>`
  }
}

/** Dashboard, digests, triage queue and CSV export: 书记 only, scoped to the 书记's community. */
export function reportRoutes(router: Router, app: AppContext) {
  const secretary = requireStaff('secretary')

  router.get('/api/dashboard', secretary, validate(periodInput), async (ctx) => {
    const staff = staffOf(ctx)
    const { query } = inputOf(ctx, periodInput)
    const em = app.db.manager
    const { community } = await loadCommunity(em, staff.communityId)
    const now = app.clock.now()
    const { from, to } = resolvePeriod(query, { timeZone: community.timezone, now, defaultDays: DASHBOARD_DEFAULT_DAYS, maxDays: MAX_PERIOD_DAYS })
    const stats = await computeStats(em, { communityId: community.id, from, to, now })
    ctx.body = presentDashboard(stats, { timeZone: community.timezone })
  })

  router.get('/api/digests', secretary, validate(digestListInput), async (ctx) => {
    const staff = staffOf(ctx)
    const { page, pageSize } = inputOf(ctx, digestListInput).query
    const [rows, total] = await app.db.getRepository(Digest).findAndCount({
      where: { communityId: staff.communityId }, order: { periodStart: 'DESC', id: 'DESC' }, skip: (page - 1) * pageSize, take: pageSize,
    })
    ctx.body = { items: rows.map(presentDigestSummary), page, pageSize, total }
  })

  router.get('/api/digests/:id', secretary, validate(idInput), async (ctx) => {
    const staff = staffOf(ctx)
    const { id } = inputOf(ctx, idInput).params
    const d = await app.db.getRepository(Digest).findOne({ where: { id, communityId: staff.communityId } })
    if (!d) throw new NotFoundError('周报', 'digest_not_found')
    ctx.body = presentDigest(d)
  })

  router.get('/digests/:id', tokenFromQuery, secretary, validate(idInput), async (ctx) => {
    const staff = staffOf(ctx)
    const { id } = inputOf(ctx, idInput).params
    const d = await app.db.getRepository(Digest).findOne({ where: { id, communityId: staff.communityId } })
    if (!d) throw new NotFoundError('周报', 'digest_not_found')
    ctx.type = 'text/html; charset=utf-8'
    // The token may be in the URL: keep it out of caches and Referer headers.
    ctx.set('Cache-Control', 'private, no-store')
    ctx.set('Referrer-Policy', 'no-referrer')
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    ctx.body = digestPage(d, ctx)
  })

  router.get('/api/triage', secretary, validate(triageListInput), async (ctx) => {
    const staff = staffOf(ctx)
    const { query } = inputOf(ctx, triageListInput)
    const em = app.db.manager
    const c = await loadCommunity(em, staff.communityId)
    // Oldest first, keyset on (created_at, id) over ix_requests_triage (community_id, needs_triage, created_at).
    const qb = em.getRepository(ServiceRequest).createQueryBuilder('r')
      .where('r.community_id = :c AND r.needs_triage = 1 AND r.status NOT IN (:...gone)', { c: staff.communityId, gone: ['merged', 'cancelled'] })
    if (query.cursor) afterKeyset(qb, 'r.created_at', 'r.id', 'ASC', decodeKeyset(query.cursor))
    const rows = await qb.orderBy('r.created_at', 'ASC').addOrderBy('r.id', 'ASC').limit(query.limit).getMany()
    const now = app.clock.now()
    const last = rows.length === query.limit ? rows[rows.length - 1]! : null
    ctx.body = {
      items: rows.map((r) => presentTriageItem(r, {
        assignee: staffById(c, r.assigneeStaffId), gridName: c.grids.find((g) => g.id === r.gridId)?.name ?? null, now, settings: c.community.settings,
      })),
      nextCursor: last ? encodeKeyset(last.createdAt, last.id) : null,
    }
  })

  router.post('/api/triage/:id', rateLimit(), secretary, validate(triageInput), async (ctx) => {
    const staff = staffOf(ctx)
    const { params, body } = inputOf(ctx, triageInput)
    const r = await inTransaction(app.db, (em) => confirmTriage(em, app.clock, { requestId: params.id, staff, category: body.category, urgency: body.urgency, channel: 'miniprogram' }))
    const c = await loadCommunity(app.db.manager, staff.communityId)
    ctx.body = presentTriageItem(r, {
      assignee: staffById(c, r.assigneeStaffId), gridName: c.grids.find((g) => g.id === r.gridId)?.name ?? null, now: app.clock.now(), settings: c.community.settings,
    })
  })

  router.get('/api/requests.csv', secretary, validate(periodInput), async (ctx) => {
    const staff = staffOf(ctx)
    const { query } = inputOf(ctx, periodInput)
    const em = app.db.manager
    const c = await loadCommunity(em, staff.communityId)
    const tz = c.community.timezone
    const now = app.clock.now()
    const { from, to } = resolvePeriod(query, { timeZone: tz, now, defaultDays: DASHBOARD_DEFAULT_DAYS, maxDays: MAX_PERIOD_DAYS })
    ctx.type = 'text/csv; charset=utf-8'
    ctx.set('Cache-Control', 'private, no-store')
    ctx.attachment(`requests-${localDate(from, tz)}-${localDate(new Date(to.getTime() - 1), tz)}.csv`)
    const context: CsvContext = {
      timeZone: tz, now,
      gridNames: new Map(c.grids.map((g) => [g.id, g.name])),
      staffNames: new Map(c.staff.map((s) => [s.id, s.name])),
    }
    const period = { communityId: staff.communityId, from, to }
    // Streamed a day at a time, in order: memory holds a few days whatever the period's size. Over more than a few
    // days the rows are read and formatted by worker threads (one thread was the limit at 1M rows), else here.
    const workers = to.getTime() - from.getTime() > CSV_WORKER_MIN_DAYS * 86_400_000 ? csvWorkerDatabase(app.db) : null
    const slot = workers ? takeCsvWorkerSlot() : null
    const body = workers && slot ? requestsCsvInWorkers(workers, period, context) : Readable.from(requestsCsvChunks(requestsCreatedIn(app.db, period), context))
    if (slot) body.once('close', slot)
    body.on('error', (err) => ctx.state.logger?.error({ err }, 'CSV export failed mid-stream; the file was cut short'))
    ctx.body = body
  })
}
