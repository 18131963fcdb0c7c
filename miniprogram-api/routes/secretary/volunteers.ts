import type Router from '@koa/router'
import { z } from 'zod'
import { loadCommunity } from '../../../src/community/snapshot.js'
import type { AppContext } from '../../../src/context.js'
import { PointsAccount, Volunteer } from '../../../src/db/entities/index.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { volunteerFigures } from '../../../src/volunteers/figures.js'
import { issueVolunteerBindCode } from '../../../src/volunteers/identity.js'
import { redeemPoints } from '../../../src/volunteers/pointsRedeemer.js'
import { registerRoute } from '../../openapi.js'
import { staffOf } from '../../deps.js'
import { requireStaff } from '../../middleware/auth.js'
import { rateLimit } from '../../middleware/rateLimit.js'
import { inputOf, validate } from '../../middleware/validate.js'
import { idParams, text } from '../../schemas.js'
import { resolvePeriod } from './period.js'
import { idInput, periodInput, periodQuery } from './schema.js'
import { DASHBOARD_DEFAULT_DAYS, MAX_PERIOD_DAYS } from './reports.js'

// Schemas and presenters of the 志愿者与积分 routes, next to them.
export const redemptionBody = z.strictObject({
  points: z.number().int('积分应是整数').positive('积分应大于 0').max(100_000),
  /** what was exchanged */
  note: text(100),
  /** the client's id for this redemption: a retried request redeems once */
  requestKey: z.string().trim().min(8).max(64),
})
export const redemptionInput = z.object({ params: idParams, body: redemptionBody, query: z.unknown() })

const volunteerView = z.object({
  id: z.number().int(), name: z.string(), phone: z.string().nullable(), grids: z.array(z.string()), active: z.boolean(), bound: z.boolean(), balance: z.number().int(),
})
const figuresView = z.object({
  from: z.string(), to: z.string(),
  volunteers: z.number().int(), bound: z.number().int(), offered: z.number().int(), done: z.number().int(), waiting: z.number().int(), hours: z.number(),
  earned: z.object({ volunteering: z.number().int(), verified_report: z.number().int() }), redeemed: z.number().int(),
  month: z.object({ year: z.number().int(), month: z.number().int(), from: z.string(), to: z.string() }),
  ranking: z.array(z.object({ volunteerId: z.number().int(), name: z.string(), points: z.number().int(), hours: z.number(), tasks: z.number().int(), balance: z.number().int() })),
})

/**
 * 志愿者与积分 for the 书记: the volunteers with balances, the figures the digest shows (the same function),
 * a fresh 认证 code for a volunteer, and redemptions (never below a zero balance).
 */
export function volunteerRoutes(router: Router, app: AppContext) {
  const secretary = requireStaff('secretary')
  const writes = rateLimit()

  async function list(communityId: number) {
    const c = await loadCommunity(app.db.manager, communityId)
    const vs = await app.db.getRepository(Volunteer).find({ where: { communityId }, order: { id: 'ASC' } })
    const accounts = await app.db.getRepository(PointsAccount).find({ where: { communityId, holderType: 'volunteer' } })
    return vs.map((v) => ({
      id: v.id, name: v.name, phone: v.phoneMasked, grids: v.gridIds.map((g) => c.grids.find((x) => x.id === g)?.name ?? '').filter(Boolean),
      active: v.active, bound: !!v.wechatContactId, balance: accounts.find((a) => a.holderId === v.id)?.balance ?? 0,
    }))
  }

  router.get('/api/admin/volunteers', secretary, async (ctx) => { ctx.body = { items: await list(staffOf(ctx).communityId) } })

  router.get('/api/volunteers/figures', secretary, validate(periodInput), async (ctx) => {
    const staff = staffOf(ctx)
    const { query } = inputOf(ctx, periodInput)
    const { community } = await loadCommunity(app.db.manager, staff.communityId)
    const { from, to } = resolvePeriod(query, { timeZone: community.timezone, now: app.clock.now(), defaultDays: DASHBOARD_DEFAULT_DAYS, maxDays: MAX_PERIOD_DAYS })
    ctx.body = { from: from.toISOString(), to: to.toISOString(), ...await volunteerFigures(app.db.manager, { communityId: community.id, from, to }) }
  })

  router.post('/api/admin/volunteers/:id/bind-code', writes, secretary, validate(idInput), async (ctx) => {
    const { params } = inputOf(ctx, idInput)
    const issued = await inTransaction(app.db, (em) => issueVolunteerBindCode(em, app.clock, { communityId: staffOf(ctx).communityId, volunteerId: params.id }))
    ctx.status = 201
    ctx.body = { volunteerId: issued.volunteerId, name: issued.name, code: issued.code, expiresAt: issued.expiresAt.toISOString() }
  })

  router.post('/api/admin/volunteers/:id/redemptions', writes, secretary, validate(redemptionInput), async (ctx) => {
    const { params, body } = inputOf(ctx, redemptionInput)
    const staff = staffOf(ctx)
    const r = await inTransaction(app.db, (em) => redeemPoints(em, app.clock, {
      communityId: staff.communityId, actor: staff, volunteerId: params.id, points: body.points, note: body.note, causeKey: `api:${staff.id}:${body.requestKey}`,
    }))
    ctx.state.logger?.info({ action: 'volunteer.redeem', staffId: staff.id, volunteerId: params.id, points: body.points, replay: r.replay }, 'points redeemed')
    ctx.status = r.replay ? 200 : 201
    ctx.body = { volunteerId: r.volunteer.id, balance: r.balance, replay: r.replay, items: await list(staff.communityId) }
  })

  const tags = ['secretary: volunteers']
  registerRoute({ method: 'get', path: '/api/admin/volunteers', summary: 'Volunteers with grids, binding and points balance (书记)', tags, response: z.object({ items: z.array(volunteerView) }), errors: [403] })
  registerRoute({ method: 'get', path: '/api/volunteers/figures', summary: 'Volunteer tasks, hours, points and the month\'s ranking for a period: the digest\'s figures (书记)', tags, query: periodQuery, response: figuresView, errors: [400, 403] })
  registerRoute({
    method: 'post', path: '/api/admin/volunteers/:id/bind-code', summary: 'A one-time 认证 code for a volunteer to bind their WeChat', tags, status: 201, errors: [403, 404, 409, 429],
    response: z.object({ volunteerId: z.number().int(), name: z.string(), code: z.string(), expiresAt: z.string() }),
  })
  registerRoute({
    method: 'post', path: '/api/admin/volunteers/:id/redemptions', summary: 'Record a points redemption; refused (409 points_insufficient) beyond the balance', tags, body: redemptionBody, status: 201,
    errors: [400, 403, 404, 409, 429], response: z.object({ volunteerId: z.number().int(), balance: z.number().int(), replay: z.boolean(), items: z.array(volunteerView) }),
  })
}

