import type { Context, Next } from 'koa'
import type { DataSource } from 'typeorm'
import type { Clock } from '../../src/clock.js'
import { RateLimitHit } from '../../src/db/entities/index.js'
import { DomainError } from '../../src/errors.js'
import { dateOf } from '../../src/db/rawDate.js'
import { bearerToken } from '../auth/tokens.js'
import { depsOf } from '../deps.js'

export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterMs: number) {
    super('rate_limited', '操作太频繁，请稍后再试', 429, { retryAfterSeconds: Math.ceil(retryAfterMs / 1000) })
  }
}

/**
 * Sliding-window log on the injected clock, kept in the database (rate_limit_hits) so that every API replica
 * counts against the same limits: a key may make `limit` hits in any window of `windowMs`.
 * A hit is recorded first and then counted; over the limit, it is taken back and the call refused. Two replicas
 * racing for a key's last slot may both be refused, never both admitted.
 */
export class RateLimiter {
  private takes = 0

  constructor(private readonly o: { db: DataSource; clock: Clock; windowMs: number }) {}

  /** Records one hit against every key if all are under their limits; else throws 429 and records nothing. */
  async take(checks: { key: string; limit: number }[]): Promise<void> {
    const repo = this.o.db.getRepository(RateLimitHit)
    const now = this.o.clock.now()
    const since = new Date(now.getTime() - this.o.windowMs)
    const mine: number[] = []
    for (const c of checks) mine.push((await repo.insert({ limitKey: c.key.slice(0, 191), at: now })).identifiers[0]!.id as number)
    let wait = 0
    for (const c of checks) {
      const times = await repo.createQueryBuilder('h').select('h.at', 'at').where('h.limit_key = :k AND h.at > :since', { k: c.key.slice(0, 191), since })
        .orderBy('h.at', 'ASC').addOrderBy('h.id', 'ASC').getRawMany<{ at: unknown }>()
      if (times.length <= c.limit) continue
      // The window frees a slot when the hit `limit` places before the newest leaves it.
      const oldest = dateOf(times[times.length - 1 - c.limit]!.at)!
      wait = Math.max(wait, oldest.getTime() + this.o.windowMs - now.getTime(), 1)
    }
    if (wait > 0) {
      await repo.delete(mine)
      throw new RateLimitedError(wait)
    }
    if (++this.takes % 500 === 0) await repo.createQueryBuilder().delete().where('at <= :since', { since }).execute()
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
      await deps.limiter.take(checks)
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
