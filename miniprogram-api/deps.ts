import type { Context } from 'koa'
import type { AppContext } from '../src/context.js'
import type { Resident, Staff } from '../src/db/entities/index.js'
import { ForbiddenError, UnauthorizedError } from '../src/errors.js'
import type { Classifier } from '../src/intake/classifier/types.js'
import type { RunIntake } from '../src/intake/pipeline.js'
import type { FileStorage } from '../src/storage/index.js'
import type { WechatClient } from './auth/wechat.js'
import type { TokenService } from './auth/tokens.js'
import type { RateLimiter } from './middleware/rateLimit.js'
import type { Principal } from './principal.js'

/** Everything a route needs, built once by createApi and available as ctx.state.deps. */
export interface ApiDeps extends AppContext {
  wechat: WechatClient
  tokens: TokenService
  storage: FileStorage
  classifier: Classifier
  runIntake: RunIntake
  limiter: RateLimiter
  /** The bot's full status, login QR link included: for the 书记 only. */
  botStatus?: () => Record<string, unknown>
}

export const depsOf = (ctx: Context): ApiDeps => ctx.state.deps as ApiDeps

/** The verified caller (set by requireAuth). */
export function principalOf(ctx: Context): Principal {
  const p = ctx.state.principal as Principal | undefined
  if (!p) throw new UnauthorizedError()
  return p
}

/** The caller's resident row (every mini-program user has one; staff signed in by phone too). */
export function residentOf(ctx: Context): Resident {
  const r = ctx.state.resident as Resident | undefined
  if (!r) throw new ForbiddenError('请使用微信小程序登录', 'resident_only')
  return r
}

/** The caller's staff row, loaded fresh by requireAuth (inactive staff are not staff). */
export function staffOf(ctx: Context): Staff {
  const s = ctx.state.staff as Staff | undefined
  if (!s) throw new ForbiddenError('仅限社区工作人员使用', 'staff_only')
  return s
}
