import { createHash, randomBytes } from 'node:crypto'
import type { EntityManager } from 'typeorm'
import { IsNull } from 'typeorm'
import type { Clock } from '../clock.js'
import { ConsoleLoginLink, ConsoleSession, Staff } from '../db/entities/index.js'
import { UnauthorizedError } from '../errors.js'

// Password-free console login: the bot DMs a one-time link (10 minutes, usable once); opening it starts a
// session held in an httpOnly cookie. Only SHA-256 hashes of the link token and the cookie are stored.

export const LOGIN_LINK_TTL_MS = 10 * 60_000

const newToken = () => randomBytes(32).toString('base64url')
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')
/** What a token we issued looks like: anything else is refused without a database lookup. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/

/** A fresh one-time login link token for this staff member. */
export async function issueLoginLink(em: EntityManager, clock: Clock, p: { staffId: number }): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken()
  const now = clock.now()
  const expiresAt = new Date(now.getTime() + LOGIN_LINK_TTL_MS)
  await em.insert(ConsoleLoginLink, { tokenHash: hashToken(token), staffId: p.staffId, expiresAt, usedAt: null, createdAt: now })
  return { token, expiresAt }
}

const refusedLink = () => new UnauthorizedError('登录链接无效或已过期（链接10分钟内有效，只能使用一次）。请在微信里给社区小助手发送「后台」获取新链接。', 'login_link_invalid')

async function usableLink(em: EntityManager, now: Date, token: string): Promise<{ link: ConsoleLoginLink; staff: Staff }> {
  if (!TOKEN.test(token)) throw refusedLink()
  const link = await em.findOne(ConsoleLoginLink, { where: { tokenHash: hashToken(token) } })
  if (!link || link.usedAt || link.expiresAt.getTime() <= now.getTime()) throw refusedLink()
  const staff = await em.findOne(Staff, { where: { id: link.staffId, active: true } })
  if (!staff) throw refusedLink()
  return { link, staff }
}

/**
 * Whose login link this is, without spending it. Opening the link only shows a confirmation page, so a chat
 * app's link preview (which fetches the page) cannot use up the one-time link before the person taps it.
 */
export async function checkLoginLink(em: EntityManager, clock: Clock, p: { token: string }): Promise<Staff> {
  return (await usableLink(em, clock.now(), p.token)).staff
}

/**
 * Opens a session from a login link. The link is spent by a guarded UPDATE (unused and unexpired), so two
 * tabs opening it at once cannot both get in. An unknown, used or expired link is refused alike.
 */
export async function redeemLoginLink(em: EntityManager, clock: Clock, p: { token: string; sessionTtlMs: number }): Promise<{ sessionToken: string; expiresAt: Date; staff: Staff }> {
  const now = clock.now()
  const { link, staff } = await usableLink(em, now, p.token)
  const spent = await em.createQueryBuilder().update(ConsoleLoginLink).set({ usedAt: now })
    .where('id = :id AND used_at IS NULL AND expires_at > :now', { id: link.id, now }).execute()
  if (!spent.affected) throw refusedLink()
  return { ...(await startSession(em, clock, { staffId: staff.id, ttlMs: p.sessionTtlMs })), staff }
}

/** A new session for this staff member (also the development login). */
export async function startSession(em: EntityManager, clock: Clock, p: { staffId: number; ttlMs: number }): Promise<{ sessionToken: string; expiresAt: Date }> {
  const sessionToken = newToken()
  const now = clock.now()
  const expiresAt = new Date(now.getTime() + p.ttlMs)
  await em.insert(ConsoleSession, { tokenHash: hashToken(sessionToken), staffId: p.staffId, expiresAt, revokedAt: null, createdAt: now })
  return { sessionToken, expiresAt }
}

/** The active staff member behind a session cookie, or null (unknown, expired, logged out, deactivated). */
export async function staffOfSession(em: EntityManager, clock: Clock, token: string): Promise<Staff | null> {
  if (!TOKEN.test(token)) return null
  const session = await em.findOne(ConsoleSession, { where: { tokenHash: hashToken(token), revokedAt: IsNull() } })
  if (!session || session.expiresAt.getTime() <= clock.now().getTime()) return null
  return em.findOne(Staff, { where: { id: session.staffId, active: true } })
}

/** 退出登录: the cookie stops working at once, even if a copy of it survives. */
export async function endSession(em: EntityManager, clock: Clock, token: string): Promise<void> {
  if (!TOKEN.test(token)) return
  await em.update(ConsoleSession, { tokenHash: hashToken(token), revokedAt: IsNull() }, { revokedAt: clock.now() })
}

/** Console addresses, for links in the bot's messages. */
export const consoleLinks = {
  login: (base: string, token: string) => `${base}/console/login/${token}`,
  request: (base: string, id: number) => `${base}/console/requests/${id}`,
  digest: (base: string, id: number) => `${base}/console/digests/${id}`,
}
