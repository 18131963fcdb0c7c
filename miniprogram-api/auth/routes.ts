import type Router from '@koa/router'
import type { EntityManager } from 'typeorm'
import { Community, Resident, type Staff } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { UnauthorizedError } from '../../src/errors.js'
import { encryptPhone, hashPhone, maskMobile, normalizeMobile } from '../../src/people/phone.js'
import { depsOf, residentOf, type ApiDeps } from '../deps.js'
import { requireAuth } from '../middleware/auth.js'
import { rateLimit } from '../middleware/rateLimit.js'
import { inputOf, validate } from '../middleware/validate.js'
import { registerRoute } from '../openapi.js'
import { presentUser } from '../presenters/user.js'
import { soleCommunityId, staffForResident } from './identity.js'
import { loginBody, loginSchema, phoneBody, phoneSchema, refreshBody, refreshSchema, tokenResponse } from './schema.js'

const isUniqueViolation = (e: unknown) => /UNIQUE|Duplicate entry|ER_DUP_ENTRY/i.test(String((e as Error)?.message ?? ''))

/** The resident behind a mini-program openid; created (in the only community, if there is one) on first login. */
async function residentForOpenid(deps: ApiDeps, openid: string): Promise<Resident> {
  const find = () => deps.db.getRepository(Resident).findOne({ where: { openid } })
  const existing = await find()
  if (existing) return existing
  try {
    return await inTransaction(deps.db, async (em) => em.save(Resident, em.create(Resident, {
      openid, communityId: await soleCommunityId(em), vulnerability: [], subscribeAllowed: false,
    })))
  } catch (e) {
    // Two first logins at once: the other one created it.
    const again = isUniqueViolation(e) ? await find() : null
    if (again) return again
    throw e
  }
}

async function tokensFor(deps: ApiDeps, em: EntityManager, resident: Resident, staff: Staff | null) {
  const tokens = await deps.tokens.issue({ residentId: resident.id, staffId: staff?.id ?? null })
  const communityId = resident.communityId ?? staff?.communityId ?? null
  const community = communityId != null ? await em.findOne(Community, { where: { id: communityId }, select: { id: true, name: true } }) : null
  return { ...tokens, user: presentUser(resident, staff, community) }
}

export function authRoutes(router: Router): void {
  registerRoute({ method: 'post', path: '/api/auth/login', summary: 'Sign in with a wx.login code (jscode2session); creates the resident on first login', tags: ['auth'], auth: 'none', body: loginBody, response: tokenResponse, errors: [401, 429, 502, 503] })
  router.post('/api/auth/login', rateLimit({ bucket: 'login' }), validate(loginSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { body } = inputOf(ctx, loginSchema)
    const session = await deps.wechat.code2session(body.code, ctx.state.logger)
    const resident = await residentForOpenid(deps, session.openid)
    const staff = await staffForResident(deps.db.manager, resident)
    ctx.state.logger.info({ residentId: resident.id, staffId: staff?.id }, 'mini-program login')
    ctx.body = await tokensFor(deps, deps.db.manager, resident, staff)
  })

  registerRoute({ method: 'post', path: '/api/auth/phone', summary: 'Bind the phone from a getPhoneNumber code; a staff phone from the community file grants that staff role in the returned token', tags: ['auth'], body: phoneBody, response: tokenResponse, errors: [429, 502, 503] })
  router.post('/api/auth/phone', rateLimit(), requireAuth(), validate(phoneSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { body } = inputOf(ctx, phoneSchema)
    const me = residentOf(ctx)
    const info = await deps.wechat.getPhoneNumber(body.code, ctx.state.logger)
    const phone = normalizeMobile(info.purePhoneNumber) ?? `+${info.countryCode}${info.purePhoneNumber}`.replace(/[^\d+]/g, '')
    const key = deps.config.DATA_ENCRYPTION_KEY
    ctx.body = await inTransaction(deps.db, async (em) => {
      const resident = await em.findOneOrFail(Resident, { where: { id: me.id } })
      resident.phoneEncrypted = encryptPhone(phone, key)
      resident.phoneMasked = maskMobile(phone)
      resident.phoneHash = hashPhone(phone, key)
      const staff = await staffForResident(em, resident)
      if (staff && resident.communityId == null) resident.communityId = staff.communityId
      await em.save(Resident, resident)
      ctx.state.logger.info({ residentId: resident.id, staffId: staff?.id ?? null }, 'phone bound')
      return tokensFor(deps, em, resident, staff)
    })
  })

  registerRoute({ method: 'post', path: '/api/auth/refresh', summary: 'Exchange a refresh token for a new token pair (the staff role is looked up again)', tags: ['auth'], auth: 'none', body: refreshBody, response: tokenResponse, errors: [429] })
  router.post('/api/auth/refresh', rateLimit({ bucket: 'login' }), validate(refreshSchema), async (ctx) => {
    const deps = depsOf(ctx)
    const { body } = inputOf(ctx, refreshSchema)
    const claims = await deps.tokens.verify(body.refreshToken, 'refresh')
    const resident = await deps.db.getRepository(Resident).findOne({ where: { id: claims.residentId } })
    if (!resident) throw new UnauthorizedError('账号不存在，请重新登录', 'invalid_token')
    const staff = await staffForResident(deps.db.manager, resident)
    ctx.body = await tokensFor(deps, deps.db.manager, resident, staff)
  })
}
