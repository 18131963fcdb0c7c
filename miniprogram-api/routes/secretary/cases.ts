import type Router from '@koa/router'
import type { AppContext } from '../../../src/context.js'
import { ServiceRequest } from '../../../src/db/entities/index.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { ForbiddenError, NotFoundError } from '../../../src/errors.js'
import { cancelRequest, mergeRequest } from '../../../src/requests/admin.js'
import { can } from '../../../src/requests/policy.js'
import { staffOf } from '../../deps.js'
import { requireStaff } from '../../middleware/auth.js'
import { rateLimit } from '../../middleware/rateLimit.js'
import { inputOf, validate } from '../../middleware/validate.js'
import { registerRoute } from '../../openapi.js'
import { cancelBody, cancelInput, caseResponse, mergeBody, mergeInput } from './schema.js'


/** 撤销 and 合并 with a reason, by the 书记 (the policy decides; the state machine guards the status). */
export function caseRoutes(router: Router, app: AppContext) {
  const secretary = requireStaff('secretary')
  const load = async (communityId: number, id: number) => {
    const r = await app.db.getRepository(ServiceRequest).findOne({ where: { id, communityId } })
    if (!r) throw new NotFoundError('工单', 'request_not_found')
    return r
  }

  registerRoute({ method: 'post', path: '/api/requests/:id/cancel', summary: '撤销 a request with a reason (书记)', tags: ['secretary'], body: cancelBody, response: caseResponse, errors: [400, 403, 404, 409, 429] })
  router.post('/api/requests/:id/cancel', rateLimit(), secretary, validate(cancelInput), async (ctx) => {
    const staff = staffOf(ctx)
    const { params, body } = inputOf(ctx, cancelInput)
    const r = await inTransaction(app.db, async (em) => {
      const request = await load(staff.communityId, params.id)
      if (!can(staff, 'cancel', request)) throw new ForbiddenError('您没有撤销此工单的权限', 'cancel_forbidden')
      return cancelRequest(em, app.clock, { requestId: request.id, actor: { type: 'staff', id: staff.id }, reason: body.reason, channel: 'api' })
    })
    ctx.body = { id: r.id, no: r.no, status: r.status }
  })

  registerRoute({ method: 'post', path: '/api/requests/:id/merge', summary: '合并 a duplicate into another open request (by its number) with a reason (书记)', tags: ['secretary'], body: mergeBody, response: caseResponse, errors: [400, 403, 404, 409, 429] })
  router.post('/api/requests/:id/merge', rateLimit(), secretary, validate(mergeInput), async (ctx) => {
    const staff = staffOf(ctx)
    const { params, body } = inputOf(ctx, mergeInput)
    const r = await inTransaction(app.db, async (em) => {
      const request = await load(staff.communityId, params.id)
      const into = await em.findOne(ServiceRequest, { where: { communityId: staff.communityId, no: body.into } })
      if (!into) throw new NotFoundError(`工单 ${body.into}`, 'merge_target_not_found')
      if (!can(staff, 'merge', request)) throw new ForbiddenError('您没有合并此工单的权限', 'merge_forbidden')
      return mergeRequest(em, app.clock, { requestId: request.id, intoId: into.id, actor: { type: 'staff', id: staff.id }, reason: body.reason, channel: 'api' })
    })
    ctx.body = { id: r.id, no: r.no, status: r.status }
  })
}
