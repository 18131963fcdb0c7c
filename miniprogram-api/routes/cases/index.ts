import type Router from '@koa/router'
import type { Context } from 'koa'
import { inTransaction } from '../../../src/db/transaction.js'
import { ForbiddenError } from '../../../src/errors.js'
import { cancelAsSecretary, mergeAsStaff, setRequestLocation, splitRequest, withdrawRequest, type SplitPart } from '../../../src/requests/index.js'
import { depsOf, residentOf, staffOf } from '../../deps.js'
import { requireAuth, requireStaff } from '../../middleware/auth.js'
import { rateLimit } from '../../middleware/rateLimit.js'
import { inputOf, validate } from '../../middleware/validate.js'
import { registerRoute } from '../../openapi.js'
import { isReporter, loadVisibleRequest } from '../../policies.js'
import { presentRequests, presentTasks } from '../../presenters/load.js'
import {
  cancelBody, cancelSchema, caseTaskResponse, locationBody, locationResponse, locationSchema, mergeBody, mergeResponse, mergeSchema,
  splitBody, splitResponse, splitSchema, withdrawBody, withdrawResponse, withdrawSchema,
} from './schema.js'

const CHANNEL = 'miniprogram' as const

/*
 * Case commands (撤销, 合并, 拆分, 位置): load what the caller may see (404 otherwise) → the data-layer command,
 * which checks the policy and the state machine and writes the event → present. The bot runs the same commands.
 */
export function caseRoutes(router: Router): void {
  const tasks = (ctx: Context, rows: Parameters<typeof presentTasks>[1]) => presentTasks(depsOf(ctx).db.manager, rows, depsOf(ctx).clock.now())

  registerRoute({ method: 'post', path: '/api/requests/:id/withdraw', summary: '撤销 by the reporter (not a co-reporter); the assignee is told', tags: ['requests'], body: withdrawBody, response: withdrawResponse, errors: [403, 404, 409, 429] })
  router.post('/api/requests/:id/withdraw', rateLimit(), requireAuth(), validate(withdrawSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { params, body } = inputOf(ctx, withdrawSchema)
    const me = residentOf(ctx)
    const request = await inTransaction(deps.db, async (em) => {
      const { request: r } = await loadVisibleRequest(em, ctx, params.id)
      return withdrawRequest(em, deps.clock, { requestId: r.id, communityId: r.communityId, residentId: me.id, reason: body.reason ?? null, channel: CHANNEL })
    })
    ctx.body = { request: (await presentRequests(deps.db.manager, [request], { now: deps.clock.now(), ownText: (r) => r.reporterResidentId === me.id }))[0] }
  })

  registerRoute({ method: 'post', path: '/api/requests/:id/cancel', summary: '书记 cancels a request as not_a_request or invalid, with a reason; it leaves the 三率', tags: ['secretary'], body: cancelBody, response: caseTaskResponse, errors: [400, 403, 404, 409, 429] })
  router.post('/api/requests/:id/cancel', rateLimit(), requireStaff('secretary'), validate(cancelSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { params, body } = inputOf(ctx, cancelSchema)
    const request = await inTransaction(deps.db, async (em) => {
      await loadVisibleRequest(em, ctx, params.id)
      return cancelAsSecretary(em, deps.clock, { requestId: params.id, staff: staffOf(ctx), channel: CHANNEL, kind: body.kind, reason: body.reason })
    })
    ctx.body = { task: (await tasks(ctx, [request]))[0] }
  })

  registerRoute({ method: 'post', path: '/api/requests/:id/merge', summary: '合并 into another open request: reporters, photos and the 回访 follow (the 书记, or staff holding both)', tags: ['tasks'], body: mergeBody, response: mergeResponse, errors: [403, 404, 409, 429] })
  router.post('/api/requests/:id/merge', rateLimit(), requireStaff(), validate(mergeSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { params, body } = inputOf(ctx, mergeSchema)
    const { merged, into } = await inTransaction(deps.db, async (em) => {
      await loadVisibleRequest(em, ctx, params.id)
      await loadVisibleRequest(em, ctx, body.into)
      return mergeAsStaff(em, deps.clock, { requestId: params.id, intoId: body.into, staff: staffOf(ctx), channel: CHANNEL, reason: body.reason ?? null })
    })
    const [task, target] = await tasks(ctx, [merged, into])
    ctx.body = { task, into: target }
  })

  registerRoute({ method: 'post', path: '/api/requests/:id/split', summary: '拆分: each listed problem becomes a new request with the same reporters and place; the original continues', tags: ['tasks'], body: splitBody, response: splitResponse, status: 201, errors: [400, 403, 404, 409, 429] })
  router.post('/api/requests/:id/split', rateLimit(), requireStaff(), validate(splitSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { params, body } = inputOf(ctx, splitSchema)
    const { request: visible } = await loadVisibleRequest(deps.db.manager, ctx, params.id)
    const parts: SplitPart[] = []
    for (const p of body.parts) {
      const c = p.category && p.urgency ? null : await deps.classifier.classify({ text: p.text, room: null }).catch(() => null)
      parts.push({ text: p.text, category: p.category ?? c?.category ?? visible.category, urgency: p.urgency ?? c?.urgency ?? 'normal' })
    }
    const { original, created } = await inTransaction(deps.db, (em) =>
      splitRequest(em, deps.clock, { requestId: params.id, staff: staffOf(ctx), channel: CHANNEL, parts, reason: body.reason ?? null }))
    const [task, ...rest] = await tasks(ctx, [original, ...created])
    ctx.status = 201
    ctx.body = { task, created: rest }
  })

  registerRoute({ method: 'post', path: '/api/requests/:id/location', summary: '位置: set or correct building/unit/room (staff holding it, the 书记, or the reporter); re-routed when the grid changes', tags: ['requests'], body: locationBody, response: locationResponse, errors: [400, 403, 404, 409, 429] })
  router.post('/api/requests/:id/location', rateLimit(), requireAuth(), validate(locationSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { params, body } = inputOf(ctx, locationSchema)
    const result = await inTransaction(deps.db, async (em) => {
      const { request: r, viewer, reporterIds } = await loadVisibleRequest(em, ctx, params.id)
      const asReporter = isReporter(viewer, reporterIds)
      if (!asReporter && !viewer.staff) throw new ForbiddenError('只有反映人或工作人员可以修改位置', 'not_reporter')
      const by = viewer.staff && !asReporter ? { staff: viewer.staff } : { residentId: residentOf(ctx).id }
      const located = await setRequestLocation(em, deps.clock, { requestId: r.id, communityId: r.communityId, by, building: String(body.building), unit: body.unit ?? null, room: body.room ?? null, channel: CHANNEL })
      return { ...located, asStaff: 'staff' in by }
    })
    ctx.body = {
      request: result.asStaff
        ? (await tasks(ctx, [result.request]))[0]
        : (await presentRequests(deps.db.manager, [result.request], { now: deps.clock.now(), ownText: () => true }))[0],
    }
  })
}
