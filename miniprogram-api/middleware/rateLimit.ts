import type { Context, Next } from 'koa'
import type { Clock } from '../../src/clock.js'
import { DomainError } from '../../src/errors.js'
import { bearerToken } from '../auth/tokens.js'
import { depsOf } from '../deps.js'

export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterMs: number) {
    super('rate_limited', '操作太频繁，请稍后再试', 429, { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) })
  }
}

/**
 * In-memory sliding-window log on the injected clock: a key may make `limit` hits in any window of `windowMs`.
 * One process serves the API, so memory is the right place; idle keys are swept as the map grows.
 */
export class RateLimiter {
  private hits = new Map<string, number[]>()
  private sweepAt = 10_000

  constructor(private readonly o: { clock: Clock; windowMs: number }) {}

  /** ms until `key` may hit again under `limit`, or 0 if it may now. Does not record. */
  private waitFor(key: string, limit: number, now: number): number {
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < this.o.windowMs)
    if (recent.length) this.hits.set(key, recent)
    else this.hits.delete(key)
    return recent.length < limit ? 0 : recent[recent.length - limit]! + this.o.windowMs - now
  }

  /** Records one hit against every key if all are under their limits; else throws 429 and records nothing. */
  take(checks: { key: string; limit: number }[]): void {
    const now = this.o.clock.now().getTime()
    const wait = Math.max(0, ...checks.map((c) => this.waitFor(c.key, c.limit, now)))
    if (wait > 0) throw new RateLimitedError(wait)
    for (const c of checks) this.hits.set(c.key, [...(this.hits.get(c.key) ?? []), now])
    if (this.hits.size > this.sweepAt) this.sweep(now)
  }

  private sweep(now: number): void {
    for (const [key, times] of this.hits) if (!times.length || now - times[times.length - 1]! >= this.o.windowMs) this.hits.delete(key)
    this.sweepAt = Math.max(10_000, this.hits.size * 2)
  }

  /** for tests */
  get size(): number {
    return this.hits.size
  }
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Write rate limit per client IP and, when a valid access token is presented, per user.
 * Reads pass through. Limits come from RATE_LIMIT_WRITES_PER_USER / _PER_IP over RATE_LIMIT_WINDOW_MS.
 */
export function rateLimit(opts: { perUser?: number; perIp?: number; bucket?: string } = {}) {
  return async (ctx: Context, next: Next) => {
    if (!WRITE_METHODS.has(ctx.method)) return next()
    const deps = depsOf(ctx)
    const bucket = opts.bucket ?? 'writes'
    const checks = [{ key: `${bucket}:ip:${ctx.ip}`, limit: opts.perIp ?? deps.config.RATE_LIMIT_WRITES_PER_IP }]
    const claims = await deps.tokens.peek(bearerToken(ctx.get('authorization')))
    if (claims) checks.push({ key: `${bucket}:user:${claims.residentId}`, limit: opts.perUser ?? deps.config.RATE_LIMIT_WRITES_PER_USER })
    try {
      deps.limiter.take(checks)
    } catch (e) {
      if (e instanceof RateLimitedError) {
        ctx.set('Retry-After', String(Math.ceil(e.retryAfterMs / 1000)))
        ctx.state.logger?.warn({ ip: ctx.ip, residentId: claims?.residentId }, 'rate limited')
      }
      throw e
    }
    await next()
  }
}
