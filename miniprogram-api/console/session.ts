import type { Context, Next } from 'koa'
import { durationMs } from '../../src/config.js'
import { checkLoginLink, endSession, redeemLoginLink, startSession, staffOfSession } from '../../src/console/login.js'
import type { Staff } from '../../src/db/entities/index.js'
import { ForbiddenError } from '../../src/errors.js'
import { depsOf, type ApiDeps } from '../deps.js'
import { bindRequestLog } from '../requestLog.js'

export const SESSION_COOKIE = 'jiesu_console'
/** Where to go after logging in (set when a console link is opened without a session). */
export const NEXT_COOKIE = 'jiesu_console_next'
/** Writes made with the session cookie must carry this header: other sites cannot send it (no CORS), so no CSRF. */
export const CONSOLE_HEADER = 'x-jiesu-console'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
/** The session cookie is honoured on the console, the API and the digest pages; a Bearer token takes precedence. */
const usesSession = (path: string) => path.startsWith('/console') || path.startsWith('/api/') || path.startsWith('/digests/')

/** maxAge, not expires: the server's clock may be virtual (simulator, tests), the browser's is not. */
function cookieOptions(ctx: Context, maxAge: number) {
  // Behind a TLS proxy the hop to us is plain HTTP: an https PUBLIC_URL says the browser's side is secure.
  const secure = ctx.secure || (depsOf(ctx).config.PUBLIC_URL?.startsWith('https://') ?? false)
  if (secure) (ctx.cookies as unknown as { secure: boolean }).secure = true
  return { httpOnly: true, sameSite: 'lax' as const, path: '/', maxAge: Math.max(0, maxAge), overwrite: true, secure }
}

/** Puts the console session's staff member on ctx.state, as requireStaff() would from a token. */
export function consoleSession() {
  return async (ctx: Context, next: Next) => {
    const token = ctx.cookies.get(SESSION_COOKIE)
    if (token && !ctx.get('authorization') && usesSession(ctx.path)) {
      const deps = depsOf(ctx)
      const staff = await staffOfSession(deps.db.manager, deps.clock, token)
      if (staff) {
        if (!SAFE_METHODS.has(ctx.method) && ctx.get(CONSOLE_HEADER) !== '1') throw new ForbiddenError('请从工作台页面操作', 'console_header_missing')
        signIn(ctx, staff)
      }
    }
    await next()
  }
}

function signIn(ctx: Context, staff: Staff) {
  ctx.state.staff = staff
  ctx.state.resident = undefined
  ctx.state.principal = { kind: 'staff', staffId: staff.id, communityId: staff.communityId, role: staff.role, residentId: null, openid: null }
  ctx.state.consoleSession = true
  bindRequestLog(ctx, { staffId: staff.id })
}

function setSession(ctx: Context, deps: ApiDeps, s: { sessionToken: string; expiresAt: Date }) {
  ctx.cookies.set(SESSION_COOKIE, s.sessionToken, cookieOptions(ctx, s.expiresAt.getTime() - deps.clock.now().getTime()))
}

/** Whose unspent login link this is (throws 401 login_link_invalid); the link stays usable. */
export async function staffOfLink(ctx: Context, token: string): Promise<Staff> {
  const deps = depsOf(ctx)
  return checkLoginLink(deps.db.manager, deps.clock, { token })
}

/** Spends a login link and sets the session cookie; throws 401 login_link_invalid. */
export async function loginWithLink(ctx: Context, token: string): Promise<Staff> {
  const deps = depsOf(ctx)
  const r = await redeemLoginLink(deps.db.manager, deps.clock, { token, sessionTtlMs: durationMs(deps.config.CONSOLE_SESSION_TTL) })
  setSession(ctx, deps, r)
  return r.staff
}

/** The development login: a session for any active staff member, without a link. */
export async function loginDirectly(ctx: Context, staff: Staff): Promise<void> {
  const deps = depsOf(ctx)
  setSession(ctx, deps, await startSession(deps.db.manager, deps.clock, { staffId: staff.id, ttlMs: durationMs(deps.config.CONSOLE_SESSION_TTL) }))
}

export async function logout(ctx: Context): Promise<void> {
  const deps = depsOf(ctx)
  const token = ctx.cookies.get(SESSION_COOKIE)
  if (token) await endSession(deps.db.manager, deps.clock, token)
  ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOptions(ctx, 0), maxAge: undefined, expires: new Date(0) })
}

/** Remembers where a signed-out visitor wanted to go (a link in a DM), for after the login link. */
export function rememberNext(ctx: Context) {
  if (ctx.method === 'GET' && /^\/console\/[\w/-]*$/.test(ctx.path)) {
    ctx.cookies.set(NEXT_COOKIE, ctx.path, { httpOnly: true, sameSite: 'lax', path: '/console', maxAge: 30 * 60_000, overwrite: true })
  }
}

export function takeNext(ctx: Context): string {
  const next = ctx.cookies.get(NEXT_COOKIE)
  if (next) ctx.cookies.set(NEXT_COOKIE, '', { path: '/console', expires: new Date(0), overwrite: true })
  return next && /^\/console\/[\w/-]*$/.test(next) && !next.startsWith('/console/login') ? next : '/console/'
}
