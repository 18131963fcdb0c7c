import type Router from '@koa/router'
import type { EntityManager } from 'typeorm'
import { In } from 'typeorm'
import { RequestReporter, Resident, ServiceRequest, Staff } from '../../../src/db/entities/index.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { ConflictError, ForbiddenError } from '../../../src/errors.js'
import { recordEvent, type Actor } from '../../../src/requests/events.js'
import { rateRequest } from '../../../src/requests/feedback.js'
import { notifyReporters, notifyStaff } from '../../../src/requests/notify.js'
import { soleCommunityId } from '../../auth/identity.js'
import { depsOf, residentOf } from '../../deps.js'
import { admitCaller, requireAuth, requireTokenFirst, type Claims } from '../../middleware/auth.js'
import { rateLimit } from '../../middleware/rateLimit.js'
import { inputOf, validate } from '../../middleware/validate.js'
import { registerRoute } from '../../openapi.js'
import { canComment, canRate, isReporter, loadVisibleRequest, viewerOf, type Viewer } from '../../policies.js'
import { presentEvent } from '../../presenters/event.js'
import { presentRequests, type KnownCommunity } from '../../presenters/load.js'
import { configCache } from '../../../src/community/cache.js'
import { readMyRequests } from './list.js'
import { myRequestsJson } from './listBody.js'
import { requestDetail } from './detail.js'
import { checkBuilding, CommunityRequiredError } from '../me/index.js'
import { attachPhotos, checkOwnPhotos } from '../photos/attach.js'
import { markFailed, markProcessed, receive } from '../../../src/inbox/submissions.js'
import { idempotencyKeyOf, NotARequestError } from './intake.js'
import {
  commentBody, commentResponse, commentSchema, createRequestBody, createRequestResponse, createRequestSchema, getRequestSchema,
  listRequestsQuery, listRequestsResponse, listRequestsSchema, ratingBody, ratingSchema, requestDetailResponse,
} from './schema.js'

const CHANNEL = 'miniprogram' as const

/** The actor for the event log: as staff when acting on a request as its staff, else as the resident. */
const actorOf = (v: Viewer, reporterIds: number[]): Actor =>
  v.staff && !isReporter(v, reporterIds) ? { type: 'staff', id: v.staff.id } : { type: 'resident', id: v.residentId }

const outcomeMessage = (outcome: 'created' | 'attached', no: string) => outcome === 'created'
  ? `已收到您反映的问题，工单号 ${no}，我们会尽快处理。`
  : `这个问题已有人反映，已并入工单 ${no}，处理进展会同步通知您。`

async function presentOne(em: EntityManager, request: ServiceRequest, residentId: number, now: Date, known?: KnownCommunity) {
  return (await presentRequests(em, [request], { now, ownText: (r) => r.reporterResidentId === residentId, known }))[0]!
}

export function requestRoutes(router: Router): void {
  registerRoute({
    method: 'post', path: '/api/requests', tags: ['requests'], status: 201, errors: [409, 422, 429],
    summary: 'Report a problem. Goes through intake (the classifier runs even with a chosen category). 201 created, 200 attached to an open report of the same problem; 422 not_a_request when it reads as chatter and no category was chosen. Optional Idempotency-Key header.',
    body: createRequestBody, response: createRequestResponse,
  })
  router.post('/api/requests', rateLimit(), requireAuth(), validate(createRequestSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { body } = inputOf(ctx, createRequestSchema)
    const key = idempotencyKeyOf(ctx)
    const me = residentOf(ctx)
    const em = deps.db.manager
    // load
    const communityId = me.communityId ?? ctx.state.staff?.communityId ?? (await soleCommunityId(em))
    if (communityId == null) throw new CommunityRequiredError()
    if (me.communityId == null) await inTransaction(deps.db, (tx) => tx.update(Resident, { id: me.id }, { communityId }))
    if (body.building) await checkBuilding(em, communityId, body.building)
    const viewer = await viewerOf(em, ctx)
    const photoIds = body.photos ?? []
    await checkOwnPhotos(em, viewer, photoIds)

    const received = await receive(deps, { residentId: me.id, key, text: body.text, payload: { building: body.building ?? null, unit: body.unit ?? null, room: body.room ?? null, category: body.category ?? null, photos: photoIds } })
    if (received.kind === 'replay') {
      ctx.set('Idempotent-Replayed', 'true')
      if (!received.request) throw new NotARequestError()
      const outcome = received.inbox.payload?.outcome === 'attached' ? 'attached' : 'created'
      ctx.status = outcome === 'created' ? 201 : 200
      ctx.body = { request: await presentOne(em, received.request, me.id, deps.clock.now()), outcome, message: outcomeMessage(outcome, received.request.no), photos: [] }
      return
    }
    const inboxId = received.inbox.id
    try {
      // command: the one intake pipeline, as the bot uses it; the photos and the inbox row commit with the request
      let attached: number[] = []
      const result = await deps.runIntake({ ...deps, logger: ctx.state.logger, classifier: deps.classifier }, {
        communityId, source: 'miniprogram', text: body.text, residentId: me.id, resident: me.communityId === communityId ? me : undefined, causeKey: `inbox:${inboxId}`, acknowledge: 'none',
        hints: { building: body.building ?? null, unit: body.unit ?? null, room: body.room ?? null, category: body.category ?? null },
        within: async (tx, filed) => {
          // The request exists now (new, or someone else's the resident was added to): photos that no longer fit are left out, not a failure.
          attached = await attachPhotos(tx, deps.clock, { requestId: filed.request.id, ids: photoIds, viewer, actor: { type: 'resident', id: me.id }, channel: CHANNEL, stage: 'report', bestEffort: true })
          if (attached.length < photoIds.length) ctx.state.logger.info({ serviceRequestId: filed.request.id, given: photoIds, attached }, 'some photos were not attached')
          await markProcessed(tx, deps, received.inbox, filed.request.id, filed.kind)
        },
      })
      if (result.kind === 'chatter') {
        await inTransaction(deps.db, (tx) => markProcessed(tx, deps, received.inbox, null, 'chatter'))
        ctx.state.logger.info({ inboxId, reasons: result.classification.reasons }, 'mini-program submission read as chatter')
        throw new NotARequestError()
      }
      ctx.state.logger.info({ inboxId, serviceRequestId: result.request.id, outcome: result.kind }, 'mini-program request received')
      ctx.status = result.kind === 'created' ? 201 : 200
      // Intake confirmed the cached snapshot's version in the transaction it committed: the response reads no configuration.
      const known = configCache(deps.db).peek(communityId)
      ctx.body = { request: await presentOne(em, result.request, me.id, deps.clock.now(), known), outcome: result.kind, message: outcomeMessage(result.kind, result.request.no), photos: attached }
    } catch (e) {
      if (!(e instanceof NotARequestError)) await markFailed(deps, inboxId, e)
      throw e
    }
  })

  registerRoute({ method: 'get', path: '/api/requests', summary: 'My requests (reported or co-reported), newest first; ?page&pageSize or ?cursor', tags: ['requests'], query: listRequestsQuery, response: listRequestsResponse })
  router.get('/api/requests', requireTokenFirst(), validate(listRequestsSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { query } = inputOf(ctx, listRequestsSchema)
    // No transaction: one statement reads the caller, the page, its assignees and settings' versions, and the total.
    const list = { caller: ctx.state.claims as Claims, statuses: query.status, cursor: query.cursor, page: query.page, pageSize: query.pageSize }
    const page = await readMyRequests(deps.db, list)
    await admitCaller(ctx, page.caller)
    ctx.type = 'application/json'
    ctx.body = await myRequestsJson(deps.db, list, page, deps.clock.now())
  })

  registerRoute({ method: 'get', path: '/api/requests/:id', summary: 'A request with its timeline (whitelisted events, Chinese labels) and photos; reporters, its grid\'s leaders, its assignee and the 书记 may see it', tags: ['requests'], response: requestDetailResponse, errors: [404] })
  router.get('/api/requests/:id', requireAuth(), validate(getRequestSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { params } = inputOf(ctx, getRequestSchema)
    const em = deps.db.manager
    const now = deps.clock.now()
    ctx.body = (await requestDetail(em, ctx, params.id, now)).body
  })

  registerRoute({ method: 'post', path: '/api/requests/:id/rating', summary: '回访: rate a resolved request; satisfied closes it, not solved reopens it (重办); unsatisfied but solved is recorded as a complaint for the 书记 without reopening', tags: ['requests'], body: ratingBody, response: createRequestResponse.pick({ request: true }), errors: [403, 404, 409, 429] })
  router.post('/api/requests/:id/rating', rateLimit(), requireAuth(), validate(ratingSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { params, body } = inputOf(ctx, ratingSchema)
    const me = residentOf(ctx)
    const request = await inTransaction(deps.db, async (em) => {
      const { request: r, viewer, reporterIds } = await loadVisibleRequest(em, ctx, params.id)
      if (!canRate(viewer, r, reporterIds)) throw new ForbiddenError('只有反映问题的居民可以评价', 'not_reporter')
      if (r.status !== 'resolved' && r.status !== 'closed') throw new ConflictError('request_not_resolved', `工单 ${r.no} 还未办结，办结后再评价`)
      // The 回访 state machine decides, under the request's row lock: a second or concurrent answer is a 409 already_rated.
      return rateRequest(em, deps.clock, { requestId: r.id, residentId: me.id, rating: body.rating, solved: body.solved, words: body.words ?? null, channel: CHANNEL })
    })
    ctx.body = { request: await presentOne(deps.db.manager, request, me.id, deps.clock.now()) }
  })

  registerRoute({ method: 'post', path: '/api/requests/:id/comments', summary: 'Add a comment to a request (a `comment` event); a resident\'s comment notifies the assignee, a staff comment the reporters', tags: ['requests'], body: commentBody, response: commentResponse, status: 201, errors: [404, 409, 429] })
  router.post('/api/requests/:id/comments', rateLimit(), requireAuth(), validate(commentSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { params, body } = inputOf(ctx, commentSchema)
    ctx.status = 201
    ctx.body = await inTransaction(deps.db, async (em) => {
      const { request, viewer, reporterIds } = await loadVisibleRequest(em, ctx, params.id)
      if (!canComment(viewer, request, reporterIds)) throw new ConflictError('request_closed_for_comments', `工单 ${request.no} 已合并或撤销，不能再留言`)
      const actor = actorOf(viewer, reporterIds)
      const event = await recordEvent(em, deps.clock, { requestId: request.id, type: 'comment', actor, channel: CHANNEL, data: { text: body.text } })
      if (body.photos?.length) await attachPhotos(em, deps.clock, { requestId: request.id, ids: body.photos, viewer, actor, channel: CHANNEL, stage: 'comment' })
      if (actor.type === 'resident') {
        const assignee = request.assigneeStaffId != null ? await em.findOne(Staff, { where: { id: request.assigneeStaffId } }) : null
        await notifyStaff(em, deps.clock, request, [assignee], `comment:evt${event.id}`, `【居民留言】工单 ${request.no}：${body.text}`)
      } else {
        await notifyReporters(em, deps.clock, request, `comment:evt${event.id}`, `工作人员${viewer.staff!.name}就工单 ${request.no} 留言：${body.text}`)
      }
      const staff = await em.find(Staff, { where: { communityId: request.communityId }, select: { id: true, name: true } })
      return { comment: presentEvent(event, { kind: actor.type === 'staff' ? 'staff' : 'resident', residentId: viewer.residentId, staffId: viewer.staff?.id ?? null }, { staff: new Map(staff.map((s) => [s.id, s])), residents: new Map() })! }
    })
  })
}
