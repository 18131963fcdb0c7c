import type { Context, Next } from 'koa'
import type { DataSource } from 'typeorm'
import type { Clock } from '../../src/clock.js'
import { DomainError } from '../../src/errors.js'
import { firstInsertedId } from '../../src/db/insertRows.js'
import { dateOf } from '../../src/db/rawDate.js'
import { rawExecute, rawQuery, sqlDate } from '../../src/db/rawRows.js'
import { bearerToken } from '../auth/tokens.js'
import { depsOf } from '../deps.js'
import { callerRead, keepFoundCaller } from './auth.js'

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
 * A call costs one INSERT for all keys and one SELECT for all keys, which reads at most one row per key: the hit
 * `limit` places before the newest, by a backward range on ix_rate_limit_hits_key (limit_key, at).
 */
export class RateLimiter {
  private takes = 0

  constructor(private readonly o: { db: DataSource; clock: Clock; windowMs: number }) {}

  /**
   * Records one hit against every key if all are under their limits; else throws 429 and records nothing.
   * `also`: more columns of a one-row read (`FROM (SELECT 1 AS one) one <joins>`) sent in the statement that counts
   * the hits, whose row is returned: the caller's rows (rateLimit), for one round trip fewer.
   */
  async take(checks: { key: string; limit: number }[], also?: { columns: string; joins: string; params: unknown[] }): Promise<Record<string, unknown> | undefined> {
    if (!checks.length) return undefined
    const { db } = this.o
    const now = this.o.clock.now()
    const since = sqlDate(db, new Date(now.getTime() - this.o.windowMs))
    const keys = checks.map((c) => c.key.slice(0, 191))
    const at = sqlDate(db, now)
    const { insertId } = await rawExecute(db, `INSERT INTO rate_limit_hits (limit_key, at) VALUES ${keys.map(() => '(?, ?)').join(', ')}`, keys.flatMap((key) => [key, at]))
    const first = firstInsertedId(db, insertId, keys.length)
    // Per key: the hit `limit` places before the newest in the window, if there is one (then the key is over its limit).
    const beyond = checks.map((_, i) => `(SELECT h.at FROM rate_limit_hits h WHERE h.limit_key = ? AND h.at > ? ORDER BY h.at DESC, h.id DESC LIMIT 1 OFFSET ?) AS k${i}`)
    const [row] = await rawQuery(db, `SELECT ${beyond.join(', ')}${also ? `, ${also.columns} FROM (SELECT 1 AS one) one ${also.joins}` : ''}`,
      [...checks.flatMap((c, i) => [keys[i], since, Math.max(0, Math.floor(c.limit))]), ...(also?.params ?? [])])
    let wait = 0
    checks.forEach((_, i) => {
      const oldest = dateOf(row?.[`k${i}`])
      // The window frees a slot when that hit leaves it.
      if (oldest) wait = Math.max(wait, oldest.getTime() + this.o.windowMs - now.getTime(), 1)
    })
    if (wait > 0) {
      // Taken back per key: one hit of that key at that instant, from this statement's ids on (hits with the same
      // key and time are interchangeable, and a multi-row INSERT's ids need not be consecutive on every server).
      for (const key of keys) {
        await rawExecute(db, 'DELETE FROM rate_limit_hits WHERE id = (SELECT id FROM (SELECT MIN(id) AS id FROM rate_limit_hits WHERE id >= ? AND limit_key = ? AND at = ?) t)', [first, key, at])
      }
      throw new RateLimitedError(wait)
    }
    if (++this.takes % 500 === 0) await rawExecute(db, 'DELETE FROM rate_limit_hits WHERE at <= ?', [since])
    return row
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
    // The statement that counts the hits also reads the caller's rows, which requireAuth then uses.
    const caller = claims ? callerRead(deps.db, claims) : null
    try {
      const row = await deps.limiter.take(checks, caller ?? undefined)
      if (claims && caller) keepFoundCaller(ctx, claims, caller.found(row))
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
