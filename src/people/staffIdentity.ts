import { createHash, randomInt } from 'node:crypto'
import type { EntityManager } from 'typeorm'
import { MoreThan, Not } from 'typeorm'
import type { Clock } from '../clock.js'
import { Staff, Volunteer } from '../db/entities/index.js'
import { DomainError } from '../errors.js'
import { type BindableKind, issueCode, personForContact, redeemCode, unboundNeedingCodes } from './bindings.js'

/**
 * Staff identity on WeChat. A display name is self-chosen and not unique, so it grants nothing: a staff
 * member binds their own WeChat once with a one-time code (from the community file import or the 书记's
 * console) sent privately to the bot as `认证 123456`. The bot then knows them by contact id and by a
 * remark it gives the contact itself (puppets may change contact ids between sessions; only the bot's
 * account can set its remarks). Deactivation removes the binding.
 */

/** How long an issued code works. */
export const BIND_CODE_TTL_HOURS = 72
/** Failed 认证 attempts allowed per WeChat contact per hour (6 digits: guessing is hopeless within this). */
export const BIND_ATTEMPTS_PER_HOUR = 5

export const hashCode = (code: string) => createHash('sha256').update(`jiesu-bind:${code}`).digest('hex')

/**
 * Whether a live code with this hash exists for anyone but the one it is being issued to: staff and
 * volunteers share one code space, so a code names exactly one person.
 */
export async function liveCodeTaken(em: EntityManager, hash: string, now: Date, self: { staffId?: number; volunteerId?: number }): Promise<boolean> {
  const live = { bindCodeHash: hash, bindCodeExpiresAt: MoreThan(now) }
  return await em.exists(Staff, { where: { ...live, ...(self.staffId ? { id: Not(self.staffId) } : {}) } })
    || await em.exists(Volunteer, { where: { ...live, ...(self.volunteerId ? { id: Not(self.volunteerId) } : {}) } })
}

/** A fresh six-digit code no one else holds live. */
export async function freshBindCode(em: EntityManager, now: Date, self: { staffId?: number; volunteerId?: number }): Promise<string> {
  for (;;) {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
    if (!await liveCodeTaken(em, hashCode(code), now, self)) return code
  }
}

export interface IssuedCode { staffId: number; name: string; wechat: string; code: string; expiresAt: Date }

export const STAFF: BindableKind<Staff> = { entity: Staff, label: '工作人员', notFoundCode: 'staff_not_found', inactiveCode: 'staff_inactive', remarkTag: '接诉' }

/** A fresh code for one staff member of the community; an earlier unused code stops working. */
export async function issueBindCode(em: EntityManager, clock: Clock, p: { communityId: number; staffId: number; ttlHours?: number }): Promise<IssuedCode> {
  const { person, code, expiresAt } = await issueCode(em, clock, STAFF, {
    communityId: p.communityId, personId: p.staffId, ttlHours: p.ttlHours ?? BIND_CODE_TTL_HOURS,
    freshCode: (now) => freshBindCode(em, now, { staffId: p.staffId }), hash: hashCode,
  })
  return { staffId: person.id, name: person.name, wechat: person.wechat, code, expiresAt }
}

/** Codes for the active staff who have not bound their WeChat yet (and, unless reissue, hold no live code). */
export async function issueCodesForUnbound(em: EntityManager, clock: Clock, p: { communityId: number; reissue?: boolean }): Promise<IssuedCode[]> {
  const issued: IssuedCode[] = []
  for (const s of await unboundNeedingCodes(em, clock, STAFF, p)) issued.push(await issueBindCode(em, clock, { communityId: p.communityId, staffId: s.id }))
  return issued
}

export class BindCodeError extends DomainError {}

/** Refuses a 认证 once a contact has failed too often this hour (staff and volunteer codes alike). */
export function checkBindAttempts(recentFailures: number): void {
  if (recentFailures >= BIND_ATTEMPTS_PER_HOUR) {
    throw new BindCodeError('bind_attempts_exceeded', '认证尝试次数过多，请一小时后再试，或请书记重新发放认证码。', 429)
  }
}

/**
 * `认证 123456` from a WeChat contact: binds that contact to the staff member the code was issued to
 * (replacing any earlier binding of theirs: re-binding a new phone), and returns the remark the bot should
 * give the contact. Wrong, used or expired codes, and too many attempts, are refused in plain words.
 */
export async function redeemBindCode(em: EntityManager, clock: Clock, p: { code: string; contactId: string; recentFailures: number }): Promise<{ staff: Staff; remark: string }> {
  checkBindAttempts(p.recentFailures)
  const bound = await redeemCode(em, clock, STAFF, { codeHash: hashCode(p.code), contactId: p.contactId })
  if (!bound) throw new BindCodeError('bind_code_invalid', '认证码不正确或已失效。请核对后重发「认证 六位数字」，或请书记重新发放认证码。', 400)
  return { staff: bound.person, remark: bound.remark }
}

/**
 * A code typed where others saw it (a group): if it is someone's live code, staff or volunteer, it is voided so no
 * one else can redeem it. Returns whether there was such a code.
 */
export async function voidExposedCode(em: EntityManager, clock: Clock, code: string): Promise<boolean> {
  const live = { bindCodeHash: hashCode(code), bindCodeExpiresAt: MoreThan(clock.now()) }
  const cleared = { bindCodeHash: null, bindCodeExpiresAt: null }
  const staff = await em.update(Staff, live, cleared)
  const volunteers = await em.update(Volunteer, live, cleared)
  return (staff.affected ?? 0) + (volunteers.affected ?? 0) > 0
}

/** Ends a staff member's WeChat binding and any pending code (deactivation; a lost phone). */
export async function revokeBinding(em: EntityManager, staffId: number): Promise<void> {
  await em.update(Staff, { id: staffId }, { wechatContactId: null, wechatRemark: null, boundAt: null, bindCodeHash: null, bindCodeExpiresAt: null })
}

/** The active staff record bound to this WeChat contact (by contact id, or by the bot's remark). Never by name. */
export function staffForContact(em: EntityManager, p: { contactId: string | null; remark?: string | null; communityId?: number | null }): Promise<Staff | null> {
  return personForContact(em, STAFF, p)
}
