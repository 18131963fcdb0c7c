import type { Context, Next } from 'koa'
import type { DataSource } from 'typeorm'
import { Resident, Staff, type StaffRole } from '../../src/db/entities/index.js'
import { rawColumns, rawQuery } from '../../src/db/rawRows.js'
import { ForbiddenError, UnauthorizedError } from '../../src/errors.js'
import { principalFor, staffClaimHolds } from '../auth/identity.js'
import { bearerToken } from '../auth/tokens.js'
import { depsOf } from '../deps.js'
import type { Principal } from '../principal.js'
import { bindRequestLog } from '../requestLog.js'

export interface FoundCaller { resident: Resident | null; staffRow: Staff | null }

/**
 * The token's resident row and its claimed staff row, as part of a one-row SELECT:
 * `SELECT <columns> FROM (SELECT 1 AS one) one <joins>`. loadCaller sends it alone; the rate limiter adds its counts
 * to the same statement (rateLimit), and requireAuth then uses what it read.
 */
export function callerRead(db: DataSource, claims: Claims) {
  const r = rawColumns(db, Resident)
  const s = rawColumns(db, Staff)
  return {
    columns: `${r.select('r', 'r_')}, ${s.select('s', 's_')}`,
    joins: `LEFT JOIN ${r.table} r ON r.id = ? LEFT JOIN ${s.table} s ON s.id = ?`,
    params: [claims.residentId, claims.staffId ?? 0],
    found: (row: Record<string, unknown> | undefined): FoundCaller => row?.r_id == null
      ? { resident: null, staffRow: null }
      : { resident: r.hydrate(row, 'r_'), staffRow: row.s_id == null ? null : s.hydrate(row, 's_') },
  }
}

/**
 * The token's resident row and its claimed staff row, read fresh in one statement on every call (no cache to
 * go stale across replicas): a deactivated member or a changed phone loses the staff role at once.
 */
export async function loadCaller(db: DataSource, claims: Claims): Promise<FoundCaller> {
  const read = callerRead(db, claims)
  const [row] = await rawQuery(db, `SELECT ${read.columns} FROM (SELECT 1 AS one) one ${read.joins}`, read.params)
  return read.found(row)
}

/** What the rate limiter read of the caller in its own statement, for requireAuth (ctx.state.callerFound). */
export function keepFoundCaller(ctx: Context, claims: Claims, found: FoundCaller): void {
  ctx.state.callerFound = { claims, found }
}

/** The columns a route's own statement reads to admit the caller (requireTokenFirst): its principal and the staff claim. */
export const CALLER_RESIDENT_FIELDS = ['id', 'communityId', 'openid', 'phoneHash'] as const
export const CALLER_STAFF_FIELDS = ['id', 'communityId', 'role', 'active', 'phoneHash'] as const
export interface CallerRows {
  resident: Pick<Resident, (typeof CALLER_RESIDENT_FIELDS)[number]>
  staffRow: Pick<Staff, (typeof CALLER_STAFF_FIELDS)[number]> | null
}
export interface Claims { residentId: number; staffId: number | null }

async function verifiedClaims(ctx: Context): Promise<Claims> {
  const raw = bearerToken(ctx.get('authorization'))
  if (!raw) throw new UnauthorizedError('请先登录', 'missing_token')
  return depsOf(ctx).tokens.verify(raw, 'access')
}

async function authenticate(ctx: Context): Promise<void> {
  const deps = depsOf(ctx)
  const claims = (ctx.state.claims as Claims | undefined) ?? await verifiedClaims(ctx)
  // Read by the rate limiter's statement a moment ago for the same claims, or read now.
  const kept = ctx.state.callerFound as { claims: Claims; found: FoundCaller } | undefined
  const same = kept && kept.claims.residentId === claims.residentId && kept.claims.staffId === claims.staffId
  const { resident, staffRow } = same ? kept.found : await loadCaller(deps.db, claims)
  if (!resident) throw new UnauthorizedError('账号不存在，请重新登录', 'invalid_token')
  const staff = admit(ctx, { resident, staffRow })
  ctx.state.resident = resident
  ctx.state.staff = staff
}

/** The caller as its rows show it: the staff claim only while it holds; sets ctx.state.principal and the log's ids. */
function admit<R extends CallerRows['resident'], S extends NonNullable<CallerRows['staffRow']>>(ctx: Context, rows: { resident: R; staffRow: S | null }): S | null {
  const staff = staffClaimHolds(rows.resident, rows.staffRow) ? rows.staffRow : null
  ctx.state.principal = principalFor(rows.resident, staff)
  bindRequestLog(ctx, { residentId: rows.resident.id, ...(staff ? { staffId: staff.id } : {}) })
  return staff
}

/** `Authorization: Bearer <jwt>` → ctx.state.principal (+ ctx.state.resident / ctx.state.staff). 401 otherwise. */
export function requireAuth() {
  return async (ctx: Context, next: Next) => {
    if (!ctx.state.principal) await authenticate(ctx)
    await next()
  }
}

/**
 * For a read whose own first statement also reads the caller's rows (one round trip instead of two): the token is
 * verified here (401 for a missing or bad one, with no statement), and the route admits the caller with
 * `admitCaller` from what its statement read, before it presents anything. Whatever fails before the caller was
 * admitted (validation included) first reads the caller as requireAuth() does, so that a caller who no longer exists
 * still gets 401 before any 400, as with requireAuth().
 */
export function requireTokenFirst() {
  return async (ctx: Context, next: Next) => {
    ctx.state.claims = await verifiedClaims(ctx)
    try {
      await next()
    } catch (e) {
      if (!ctx.state.principal && !(e instanceof UnauthorizedError)) await authenticate(ctx)
      throw e
    }
    if (!ctx.state.principal) throw new Error('requireTokenFirst: the route answered without admitting its caller')
  }
}

/**
 * Admits the caller of a requireTokenFirst() route from the rows its statement read (only ctx.state.principal is
 * set: routes that need the caller's whole resident or staff row use requireAuth()). Null: the statement found none
 * (an empty page, or a caller who no longer exists), so the caller is read as requireAuth() reads it.
 */
export async function admitCaller(ctx: Context, found: CallerRows | null): Promise<Principal> {
  if (found) admit(ctx, found)
  else await authenticate(ctx)
  return ctx.state.principal as Principal
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
