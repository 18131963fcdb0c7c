import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { Volunteer } from '../db/entities/index.js'
import { type BindableKind, issueCode, personForContact, redeemCode, unboundNeedingCodes } from '../people/bindings.js'
import { BIND_CODE_TTL_HOURS, checkBindAttempts, freshBindCode, hashCode } from '../people/staffIdentity.js'

/**
 * Volunteers bind their WeChat exactly as staff do (src/people/bindings.ts): a one-time code, sent privately
 * as `认证 123456`, binds the contact. Staff and volunteer codes share one code space.
 */

export interface IssuedVolunteerCode { volunteerId: number; name: string; wechat: string; code: string; expiresAt: Date }

export const VOLUNTEER: BindableKind<Volunteer> = { entity: Volunteer, label: '志愿者', notFoundCode: 'volunteer_not_found', inactiveCode: 'volunteer_inactive', remarkTag: '志愿' }

export async function issueVolunteerBindCode(em: EntityManager, clock: Clock, p: { communityId: number; volunteerId: number; ttlHours?: number }): Promise<IssuedVolunteerCode> {
  const { person, code, expiresAt } = await issueCode(em, clock, VOLUNTEER, {
    communityId: p.communityId, personId: p.volunteerId, ttlHours: p.ttlHours ?? BIND_CODE_TTL_HOURS,
    freshCode: (now) => freshBindCode(em, now, { volunteerId: p.volunteerId }), hash: hashCode,
  })
  return { volunteerId: person.id, name: person.name, wechat: person.wechat, code, expiresAt }
}

/** Codes for the active volunteers not bound yet (and, unless reissue, holding no live code). */
export async function issueVolunteerCodesForUnbound(em: EntityManager, clock: Clock, p: { communityId: number; reissue?: boolean }): Promise<IssuedVolunteerCode[]> {
  const issued: IssuedVolunteerCode[] = []
  for (const v of await unboundNeedingCodes(em, clock, VOLUNTEER, p)) issued.push(await issueVolunteerBindCode(em, clock, { communityId: p.communityId, volunteerId: v.id }))
  return issued
}

/**
 * `认证 123456` when the code was issued to a volunteer: binds this contact to them and returns the remark the
 * bot should give it; null when no volunteer holds this code live (it may be a staff code).
 */
export async function redeemVolunteerBindCode(em: EntityManager, clock: Clock, p: { code: string; contactId: string; recentFailures: number }): Promise<{ volunteer: Volunteer; remark: string } | null> {
  checkBindAttempts(p.recentFailures)
  const bound = await redeemCode(em, clock, VOLUNTEER, { codeHash: hashCode(p.code), contactId: p.contactId })
  return bound && { volunteer: bound.person, remark: bound.remark }
}

/** The active volunteer bound to this contact (by contact id, or by the bot's remark). Never by name. */
export function volunteerForContact(em: EntityManager, p: { contactId: string | null; remark?: string | null; communityId?: number | null }): Promise<Volunteer | null> {
  return personForContact(em, VOLUNTEER, p)
}
