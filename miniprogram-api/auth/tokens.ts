import { randomUUID } from 'node:crypto'
import { errors, jwtVerify, SignJWT } from 'jose'
import type { Clock } from '../../src/clock.js'
import { UnauthorizedError } from '../../src/errors.js'

export type TokenKind = 'access' | 'refresh'

/** What a token says: the resident row behind the WeChat user and, when their phone is a staff phone, the staff row. */
export interface TokenClaims {
  residentId: number
  staffId: number | null
}

export interface IssuedTokens {
  token: string
  refreshToken: string
  /** seconds until the access token expires */
  expiresIn: number
}

const ISSUER = 'jiesu'
const AUDIENCE = 'jiesu-miniprogram'
/** Seconds of clock skew allowed on exp and iat. */
const TOLERANCE_S = 5
/** Verified tokens remembered per process (a few MB at most): a JWT's signature check is the same every time. */
const VERIFIED_CACHE_SIZE = 10_000

interface Verified { typ: unknown; claims: TokenClaims; exp: number; iat: number }

/** "2h", "30m", "30d", "45s" → seconds (the format src/config.ts validates). */
export function durationSeconds(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text.trim())
  if (!m) throw new Error(`not a duration: ${text}`)
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd']
}

/**
 * HS256 JWTs (jose) signed with JWT_SECRET. Access tokens live JWT_TTL; refresh tokens live JWT_REFRESH_TTL
 * and are only accepted by POST /api/auth/refresh. Times come from the injected clock, so expiry is testable.
 */
export class TokenService {
  private readonly key: Uint8Array
  private readonly accessTtl: number
  private readonly refreshTtl: number
  /** token → what its verified payload said; only the time checks are repeated on a hit. Insertion order evicts. */
  private readonly verified = new Map<string, Verified>()

  constructor(private readonly o: { secret: string; ttl: string; refreshTtl: string; clock: Clock }) {
    this.key = new TextEncoder().encode(o.secret)
    this.accessTtl = durationSeconds(o.ttl)
    this.refreshTtl = durationSeconds(o.refreshTtl)
  }

  private async sign(kind: TokenKind, c: TokenClaims): Promise<string> {
    const now = Math.floor(this.o.clock.now().getTime() / 1000)
    return new SignJWT({ typ: kind, ...(c.staffId != null ? { sid: c.staffId } : {}) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(c.residentId))
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + (kind === 'access' ? this.accessTtl : this.refreshTtl))
      .setJti(randomUUID())
      .sign(this.key)
  }

  async issue(c: TokenClaims): Promise<IssuedTokens> {
    return { token: await this.sign('access', c), refreshToken: await this.sign('refresh', c), expiresIn: this.accessTtl }
  }

  /**
   * Verifies signature, issuer, audience, expiry and kind; any failure is a 401. A token whose signature and
   * claims were verified before is not verified again: its expiry and issue time are checked against the clock.
   */
  async verify(token: string, kind: TokenKind): Promise<TokenClaims> {
    const known = this.verified.get(token) ?? await this.verifySignature(token)
    const now = this.o.clock.now().getTime()
    if (known.exp * 1000 <= now - TOLERANCE_S * 1000) throw new UnauthorizedError('登录已过期，请重新登录', 'token_expired')
    // A token issued in the future was not issued by us (jose checks only its age).
    if (known.iat * 1000 > now + TOLERANCE_S * 1000 || known.typ !== kind) throw new UnauthorizedError('登录凭证无效，请重新登录', 'invalid_token')
    return { ...known.claims }
  }

  private async verifySignature(token: string): Promise<Verified> {
    let payload
    try {
      ;({ payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], currentDate: this.o.clock.now(), clockTolerance: TOLERANCE_S,
        requiredClaims: ['exp', 'iat', 'sub'],
      }))
      if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number') throw new Error('iat and exp must be numbers')
    } catch (e) {
      if (e instanceof errors.JWTExpired) throw new UnauthorizedError('登录已过期，请重新登录', 'token_expired')
      throw new UnauthorizedError('登录凭证无效，请重新登录', 'invalid_token')
    }
    const residentId = Number(payload.sub)
    const staffId = payload.sid == null ? null : Number(payload.sid)
    if (!Number.isSafeInteger(residentId) || residentId <= 0 || (staffId !== null && !Number.isSafeInteger(staffId))) {
      throw new UnauthorizedError('登录凭证无效，请重新登录', 'invalid_token')
    }
    const verified: Verified = { typ: payload.typ, claims: { residentId, staffId }, exp: payload.exp, iat: payload.iat }
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!)
    this.verified.set(token, verified)
    return verified
  }

  /** The verified subject of an access token, or null (for rate limiting by user before auth runs). */
  async peek(token: string | null): Promise<TokenClaims | null> {
    if (!token) return null
    return this.verify(token, 'access').catch(() => null)
  }
}

/** The token of an `Authorization: Bearer <jwt>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer[ ]+([A-Za-z0-9\-_.]{10,4096})\s*$/i.exec(header ?? '')
  return m ? m[1]! : null
}
