import type Router from '@koa/router'
import { ServiceRequest } from '../../../src/db/entities/index.js'
import { afterKeyset, decodeKeyset, encodeKeyset } from '../../../src/db/keyset.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { acceptRequest, resolveRequest, returnRequest, transferRequest } from '../../../src/requests/staffActions.js'
import { ACTIONABLE_STATUSES, type RequestStatus } from '../../../src/requests/stateMachine.js'
import { depsOf, staffOf } from '../../deps.js'
import { requireStaff } from '../../middleware/auth.js'
import { rateLimit } from '../../middleware/rateLimit.js'
import { inputOf, validate } from '../../middleware/validate.js'
import { registerRoute } from '../../openapi.js'
import { loadVisibleRequest } from '../../policies.js'
import { presentTasks } from '../../presenters/load.js'
import { attachPhotos } from '../photos/attach.js'
import {
  listTasksQuery, listTasksResponse, listTasksSchema, resolveBody, resolveSchema, returnBody, returnSchema, taskParamsSchema,
  taskResponse, transferBody, transferSchema,
} from './schema.js'

const CHANNEL = 'miniprogram' as const

/*
 * Each action first loads the request as the caller may see it: one they may not see (another grid's, another
 * community's, an unknown id) is a 404, so ids cannot be probed; one they see but may not act on is a 403.
 */
const DISPATCH_QUEUE: RequestStatus[] = ['new', 'returned']

export function taskRoutes(router: Router): void {
  registerRoute({ method: 'get', path: '/api/tasks', summary: 'My tasks (assigned to me; the 书记 also sees unassigned new and returned ones), soonest deadline first; ?page&pageSize or ?cursor (nextCursor of the previous page)', tags: ['tasks'], query: listTasksQuery, response: listTasksResponse, errors: [403] })
  router.get('/api/tasks', requireStaff(), validate(listTasksSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { query } = inputOf(ctx, listTasksSchema)
    const staff = staffOf(ctx)
    const now = deps.clock.now()
    const secretary = staff.role === 'secretary'
    const statuses = query.status?.length ? query.status : [...ACTIONABLE_STATUSES, ...(secretary ? DISPATCH_QUEUE : [])]
    const qb = deps.db.getRepository(ServiceRequest).createQueryBuilder('r')
      .where('r.community_id = :cid', { cid: staff.communityId })
      .andWhere(secretary ? '(r.assignee_staff_id = :sid OR r.assignee_staff_id IS NULL)' : 'r.assignee_staff_id = :sid', { sid: staff.id })
      .andWhere('r.status IN (:...statuses)', { statuses })
    if (query.category?.length) qb.andWhere('r.category IN (:...categories)', { categories: query.category })
    if (query.overdue !== undefined) {
      const late = '((r.accepted_at IS NULL AND r.accept_due_at IS NOT NULL AND r.accept_due_at < :now) OR (r.resolved_at IS NULL AND r.resolve_due_at IS NOT NULL AND r.resolve_due_at < :now))'
      qb.andWhere(query.overdue ? `(${late} AND r.status IN (:...actionable))` : `NOT (${late} AND r.status IN (:...actionable))`, { now, actionable: [...ACTIONABLE_STATUSES] })
    }
    // Soonest deadline first, keyset on (resolve_due_at, id); ?page still works (an offset) for old clients.
    const count = qb.clone()
    if (query.cursor) afterKeyset(qb, 'r.resolve_due_at', 'r.id', 'ASC', decodeKeyset(query.cursor))
    qb.orderBy('r.resolve_due_at', 'ASC').addOrderBy('r.id', 'ASC').limit(query.pageSize).offset(query.cursor ? 0 : (query.page - 1) * query.pageSize)
    const [rows, total] = await Promise.all([qb.getMany(), count.getCount()])
    const last = rows.length === query.pageSize ? rows[rows.length - 1]! : null
    ctx.body = {
      items: await presentTasks(deps.db.manager, rows, now), page: query.cursor ? 1 : query.page, pageSize: query.pageSize, total,
      nextCursor: last ? encodeKeyset(last.resolveDueAt, last.id) : null,
    }
  })

  registerRoute({ method: 'post', path: '/api/tasks/:id/accept', summary: '签收 (the assignee)', tags: ['tasks'], response: taskResponse, errors: [403, 404, 409, 429] })
  router.post('/api/tasks/:id/accept', rateLimit(), requireStaff(), validate(taskParamsSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { params } = inputOf(ctx, taskParamsSchema)
    const staff = staffOf(ctx)
    const request = await inTransaction(deps.db, async (em) => {
      await loadVisibleRequest(em, ctx, params.id)
      return acceptRequest(em, deps.clock, { requestId: params.id, staff, channel: CHANNEL })
    })
    ctx.body = { task: (await presentTasks(deps.db.manager, [request], deps.clock.now()))[0] }
  })

  registerRoute({ method: 'post', path: '/api/tasks/:id/resolve', summary: '办结 with a note and optional photos; schedules the 回访', tags: ['tasks'], body: resolveBody, response: taskResponse, errors: [403, 404, 409, 429] })
  router.post('/api/tasks/:id/resolve', rateLimit(), requireStaff(), validate(resolveSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { params, body } = inputOf(ctx, resolveSchema)
    const staff = staffOf(ctx)
    const request = await inTransaction(deps.db, async (em) => {
      const { viewer } = await loadVisibleRequest(em, ctx, params.id)
      const resolved = await resolveRequest(em, deps.clock, { requestId: params.id, staff, channel: CHANNEL, note: body.note })
      await attachPhotos(em, deps.clock, { requestId: resolved.id, ids: body.photos ?? [], viewer, actor: { type: 'staff', id: staff.id }, channel: CHANNEL, stage: 'resolution' })
      return resolved
    })
    ctx.body = { task: (await presentTasks(deps.db.manager, [request], deps.clock.now()))[0] }
  })

  registerRoute({ method: 'post', path: '/api/tasks/:id/return', summary: '退单 to the 书记 with a reason', tags: ['tasks'], body: returnBody, response: taskResponse, errors: [403, 404, 409, 429] })
  router.post('/api/tasks/:id/return', rateLimit(), requireStaff(), validate(returnSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { params, body } = inputOf(ctx, returnSchema)
    const staff = staffOf(ctx)
    const request = await inTransaction(deps.db, async (em) => {
      await loadVisibleRequest(em, ctx, params.id)
      return returnRequest(em, deps.clock, { requestId: params.id, staff, channel: CHANNEL, reason: body.reason })
    })
    ctx.body = { task: (await presentTasks(deps.db.manager, [request], deps.clock.now()))[0] }
  })

  registerRoute({ method: 'post', path: '/api/tasks/:id/transfer', summary: '转派 to a colleague by name (the 书记 also re-dispatches returned requests this way)', tags: ['tasks'], body: transferBody, response: taskResponse, errors: [403, 404, 409, 429] })
  router.post('/api/tasks/:id/transfer', rateLimit(), requireStaff(), validate(transferSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { params, body } = inputOf(ctx, transferSchema)
    const staff = staffOf(ctx)
    const request = await inTransaction(deps.db, async (em) => {
      await loadVisibleRequest(em, ctx, params.id)
      return transferRequest(em, deps.clock, { requestId: params.id, staff, channel: CHANNEL, to: body.staff })
    })
    ctx.body = { task: (await presentTasks(deps.db.manager, [request], deps.clock.now()))[0] }
  })
}
