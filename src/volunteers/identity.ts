import { randomBytes } from 'node:crypto'
import type { EntityManager } from 'typeorm'
import { In, IsNull, MoreThan, Not } from 'typeorm'
import type { Clock } from '../clock.js'
import { Volunteer } from '../db/entities/index.js'
import { DomainError, NotFoundError } from '../errors.js'
import { BIND_ATTEMPTS_PER_HOUR, BIND_CODE_TTL_HOURS, BindCodeError, freshBindCode, hashCode } from '../people/staffIdentity.js'

/**
 * Volunteers bind their WeChat exactly as staff do (src/people/staffIdentity.ts): a one-time code, sent
 * privately as `认证 123456`, binds the contact; the bot then knows them by contact id or by the remark it
 * gave the contact. A display name grants nothing. Staff and volunteer codes share one code space.
 */

export interface IssuedVolunteerCode { volunteerId: number; name: string; wechat: string; code: string; expiresAt: Date }

export async function issueVolunteerBindCode(em: EntityManager, clock: Clock, p: { communityId: number; volunteerId: number; ttlHours?: number }): Promise<IssuedVolunteerCode> {
  const v = await em.findOne(Volunteer, { where: { id: p.volunteerId, communityId: p.communityId } })
  if (!v) throw new NotFoundError('志愿者', 'volunteer_not_found')
  if (!v.active) throw new DomainError('volunteer_inactive', `${v.name} 已停用，不能发放认证码`, 409)
  const now = clock.now()
  const expiresAt = new Date(now.getTime() + (p.ttlHours ?? BIND_CODE_TTL_HOURS) * 3600_000)
  const code = await freshBindCode(em, now, { volunteerId: v.id })
  await em.update(Volunteer, { id: v.id }, { bindCodeHash: hashCode(code), bindCodeExpiresAt: expiresAt })
  return { volunteerId: v.id, name: v.name, wechat: v.wechat, code, expiresAt }
}

/** Codes for the active volunteers not bound yet (and, unless reissue, holding no live code). */
export async function issueVolunteerCodesForUnbound(em: EntityManager, clock: Clock, p: { communityId: number; reissue?: boolean }): Promise<IssuedVolunteerCode[]> {
  const now = clock.now()
  const unbound = await em.find(Volunteer, { where: { communityId: p.communityId, active: true, wechatContactId: IsNull() }, order: { id: 'ASC' } })
  const issued: IssuedVolunteerCode[] = []
  for (const v of unbound.filter((x) => p.reissue || !x.bindCodeHash || !x.bindCodeExpiresAt || x.bindCodeExpiresAt <= now)) {
    issued.push(await issueVolunteerBindCode(em, clock, { communityId: p.communityId, volunteerId: v.id }))
  }
  return issued
}

/**
 * `认证 123456` when the code was issued to a volunteer: binds this contact to them and returns the remark the
 * bot should give it; null when no volunteer holds this code live (it may be a staff code).
 */
export async function redeemVolunteerBindCode(em: EntityManager, clock: Clock, p: { code: string; contactId: string; recentFailures: number }): Promise<{ volunteer: Volunteer; remark: string } | null> {
  if (p.recentFailures >= BIND_ATTEMPTS_PER_HOUR) {
    throw new BindCodeError('bind_attempts_exceeded', '认证尝试次数过多，请一小时后再试，或请书记重新发放认证码。', 429)
  }
  const now = clock.now()
  const v = await em.findOne(Volunteer, { where: { bindCodeHash: hashCode(p.code), bindCodeExpiresAt: MoreThan(now), active: true } })
  if (!v) return null
  const remark = `${v.name.slice(0, 20)}·志愿${v.id}-${randomBytes(2).toString('hex')}`
  const others = await em.find(Volunteer, { where: { communityId: v.communityId, wechatContactId: p.contactId, id: Not(v.id) } })
  if (others.length) await em.update(Volunteer, { id: In(others.map((x) => x.id)) }, { wechatContactId: null, wechatRemark: null, boundAt: null })
  await em.update(Volunteer, { id: v.id }, { wechatContactId: p.contactId, wechatRemark: remark, boundAt: now, bindCodeHash: null, bindCodeExpiresAt: null })
  return { volunteer: { ...v, wechatContactId: p.contactId, wechatRemark: remark, boundAt: now } as Volunteer, remark }
}

/** The active volunteer bound to this contact (by contact id, or by the bot's remark). Never by name. */
export async function volunteerForContact(em: EntityManager, p: { contactId: string | null; remark?: string | null; communityId?: number | null }): Promise<Volunteer | null> {
  const scope = { active: true, ...(p.communityId != null ? { communityId: p.communityId } : {}) }
  if (p.contactId) {
    const byId = await em.findOne(Volunteer, { where: { ...scope, wechatContactId: p.contactId }, order: { id: 'ASC' } })
    if (byId) return byId
  }
  if (!p.remark) return null
  const byRemark = await em.findOne(Volunteer, { where: { ...scope, wechatRemark: p.remark }, order: { id: 'ASC' } })
  if (byRemark && p.contactId && byRemark.wechatContactId !== p.contactId) {
    await em.update(Volunteer, { id: byRemark.id }, { wechatContactId: p.contactId })
    byRemark.wechatContactId = p.contactId
  }
  return byRemark
}
