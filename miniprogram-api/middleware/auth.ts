import type { Context, Next } from 'koa'
import { Resident, Staff, type StaffRole } from '../../src/db/entities/index.js'
import { ForbiddenError, UnauthorizedError } from '../../src/errors.js'
import { principalFor, staffClaimHolds } from '../auth/identity.js'
import { bearerToken } from '../auth/tokens.js'
import { depsOf } from '../deps.js'

async function authenticate(ctx: Context): Promise<void> {
  const deps = depsOf(ctx)
  const raw = bearerToken(ctx.get('authorization'))
  if (!raw) throw new UnauthorizedError('请先登录', 'missing_token')
  const claims = await deps.tokens.verify(raw, 'access')
  const resident = await deps.db.getRepository(Resident).findOne({ where: { id: claims.residentId } })
  if (!resident) throw new UnauthorizedError('账号不存在，请重新登录', 'invalid_token')
  // The staff role is re-checked on every call: a deactivated member or a changed phone loses it at once.
  const staffRow = claims.staffId != null ? await deps.db.getRepository(Staff).findOne({ where: { id: claims.staffId } }) : null
  const staff = staffClaimHolds(resident, staffRow) ? staffRow : null
  ctx.state.resident = resident
  ctx.state.staff = staff
  ctx.state.principal = principalFor(resident, staff)
  ctx.state.logger = ctx.state.logger.child({ residentId: resident.id, ...(staff ? { staffId: staff.id } : {}) })
}

/** `Authorization: Bearer <jwt>` → ctx.state.principal (+ ctx.state.resident / ctx.state.staff). 401 otherwise. */
export function requireAuth() {
  return async (ctx: Context, next: Next) => {
    if (!ctx.state.principal) await authenticate(ctx)
    await next()
  }
}

/** Staff only, optionally only these roles. Authenticates first if requireAuth() did not run. */
export function requireStaff(...roles: StaffRole[]) {
  return async (ctx: Context, next: Next) => {
    if (!ctx.state.principal) await authenticate(ctx)
    const staff = ctx.state.staff as Staff | null
    if (!staff) throw new ForbiddenError('仅限社区工作人员使用，请先绑定登记过的手机号', 'staff_only')
    if (roles.length && !roles.includes(staff.role)) throw new ForbiddenError('您的岗位没有此项权限', 'role_forbidden')
    await next()
  }
}
