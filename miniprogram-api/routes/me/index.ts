import type Router from '@koa/router'
import type { EntityManager } from 'typeorm'
import { Building, Community, Resident } from '../../../src/db/entities/index.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { DomainError, ValidationError } from '../../../src/errors.js'
import { soleCommunityId } from '../../auth/identity.js'
import { depsOf, residentOf } from '../../deps.js'
import { requireAuth } from '../../middleware/auth.js'
import { rateLimit } from '../../middleware/rateLimit.js'
import { inputOf, validate } from '../../middleware/validate.js'
import { registerRoute } from '../../openapi.js'
import { presentUser, userView } from '../../presenters/user.js'
import { communitiesResponse, updateMeBody, updateMeSchema } from './schema.js'

const naturalOrder = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true })

/** The community a resident belongs to, or (when they have none) the one they chose, or the only one there is. */
export async function resolveCommunityId(em: EntityManager, resident: Resident, chosen?: number): Promise<number | null> {
  if (chosen != null) {
    if (!(await em.findOne(Community, { where: { id: chosen }, select: { id: true } }))) throw new ValidationError('所选社区不存在', { field: 'communityId' })
    return chosen
  }
  return resident.communityId ?? (await soleCommunityId(em))
}

export class CommunityRequiredError extends DomainError {
  constructor() {
    super('community_required', '请先在「我的」里选择所在社区', 400)
  }
}

/** A building must be one of the community's. Returns the normalised code. */
export async function checkBuilding(em: EntityManager, communityId: number, code: string): Promise<string> {
  const buildings = (await em.find(Building, { where: { communityId }, select: { code: true } })).map((b) => b.code)
  if (buildings.length && !buildings.includes(code)) {
    throw new DomainError('unknown_building', `本社区没有 ${code} 号楼，请从列表中选择`, 400, { buildings: buildings.sort(naturalOrder) })
  }
  return code
}

export function meRoutes(router: Router): void {
  registerRoute({ method: 'get', path: '/api/communities', summary: 'Communities and their buildings, for the profile form', tags: ['me'], auth: 'none', response: communitiesResponse })
  router.get('/api/communities', async (ctx) => {
    const { db } = depsOf(ctx)
    const [communities, buildings] = await Promise.all([
      db.getRepository(Community).find({ select: { id: true, name: true }, order: { id: 'ASC' } }),
      db.getRepository(Building).find({ select: { communityId: true, code: true } }),
    ])
    ctx.body = {
      items: communities.map((c) => ({ id: c.id, name: c.name, buildings: buildings.filter((b) => b.communityId === c.id).map((b) => b.code).sort(naturalOrder) })),
    }
  })

  registerRoute({ method: 'get', path: '/api/me', summary: 'My profile (my own masked phone, my staff role if any)', tags: ['me'], response: userView })
  router.get('/api/me', requireAuth(), async (ctx) => {
    const { db } = depsOf(ctx)
    const me = residentOf(ctx)
    const staff = ctx.state.staff ?? null
    const communityId = me.communityId ?? staff?.communityId ?? null
    const community = communityId != null ? await db.getRepository(Community).findOne({ where: { id: communityId }, select: { id: true, name: true } }) : null
    ctx.body = presentUser(me, staff, community)
  })

  registerRoute({ method: 'put', path: '/api/me', summary: 'Update my name, building, unit, room (building checked against the community), community and subscribe consent', tags: ['me'], body: updateMeBody, response: userView, errors: [429] })
  router.put('/api/me', rateLimit(), requireAuth(), validate(updateMeSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { body } = inputOf(ctx, updateMeSchema)
    const me = residentOf(ctx)
    const staff = ctx.state.staff ?? null
    ctx.body = await inTransaction(deps.db, async (em) => {
      const resident = await em.findOneOrFail(Resident, { where: { id: me.id } })
      const communityId = await resolveCommunityId(em, resident, body.communityId)
      const movedCommunity = communityId !== resident.communityId
      if (body.building != null) {
        if (communityId == null) throw new CommunityRequiredError()
        resident.building = await checkBuilding(em, communityId, body.building)
      } else if (body.building === null) resident.building = null
      else if (movedCommunity && resident.communityId != null) resident.building = null // another community's building means nothing here
      if (body.name !== undefined) resident.name = body.name
      if (body.unit !== undefined) resident.unit = body.unit
      if (body.room !== undefined) resident.room = body.room
      if (body.subscribeAllowed !== undefined) resident.subscribeAllowed = body.subscribeAllowed
      resident.communityId = communityId
      await em.save(Resident, resident)
      const community = communityId != null ? await em.findOne(Community, { where: { id: communityId }, select: { id: true, name: true } }) : null
      return presentUser(resident, staff, community)
    })
  })
}
