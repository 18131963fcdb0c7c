import { randomBytes } from 'node:crypto'
import type { EntityManager, EntityTarget, FindOptionsWhere } from 'typeorm'
import { In, IsNull, MoreThan, Not } from 'typeorm'
import type { Clock } from '../clock.js'
import { DomainError, NotFoundError } from '../errors.js'

/**
 * One WeChat binding for every kind of person the bot must know for sure (staff, volunteers): a one-time
 * code sent privately as `认证 123456` binds the contact, and the bot then knows them by contact id or by
 * the remark it gave the contact. A display name grants nothing. The kinds differ only in their table and words.
 */

/** The columns a bindable person has, whatever their table. */
export interface Bindable {
  id: number
  communityId: number
  name: string
  wechat: string
  active: boolean
  wechatContactId: string | null
  wechatRemark: string | null
  bindCodeHash: string | null
  bindCodeExpiresAt: Date | null
  boundAt: Date | null
}

export interface BindableKind<T extends Bindable> {
  entity: EntityTarget<T>
  /** 工作人员 / 志愿者: in the not-found text */
  label: string
  /** the error code when the person does not exist, e.g. staff_not_found */
  notFoundCode: string
  /** the error code when they are deactivated, e.g. staff_inactive */
  inactiveCode: string
  /** in the remark the bot gives the contact: 接诉 / 志愿 */
  remarkTag: string
}

const where = <T>(w: Record<string, unknown>) => w as FindOptionsWhere<T>

export interface IssuedBinding<T extends Bindable> { person: T; code: string; expiresAt: Date }

/** A fresh code for one person of the community; an earlier unused code of theirs stops working. */
export async function issueCode<T extends Bindable>(em: EntityManager, clock: Clock, kind: BindableKind<T>, p: {
  communityId: number; personId: number; ttlHours: number
  /** a fresh code no one else holds live (codes are unique across kinds) */
  freshCode: (now: Date) => Promise<string>
  hash: (code: string) => string
}): Promise<IssuedBinding<T>> {
  const person = await em.findOne(kind.entity, { where: where<T>({ id: p.personId, communityId: p.communityId }) })
  if (!person) throw new NotFoundError(kind.label, kind.notFoundCode)
  if (!person.active) throw new DomainError(kind.inactiveCode, `${person.name} 已停用，不能发放认证码`, 409)
  const now = clock.now()
  const expiresAt = new Date(now.getTime() + p.ttlHours * 3600_000)
  const code = await p.freshCode(now)
  await em.update(kind.entity, where<T>({ id: person.id }), where<T>({ bindCodeHash: p.hash(code), bindCodeExpiresAt: expiresAt }) as never)
  return { person, code, expiresAt }
}

/** The active people of the community not bound yet (and, unless reissue, holding no live code). */
export async function unboundNeedingCodes<T extends Bindable>(em: EntityManager, clock: Clock, kind: BindableKind<T>, p: { communityId: number; reissue?: boolean }): Promise<T[]> {
  const now = clock.now()
  const unbound = await em.find(kind.entity, { where: where<T>({ communityId: p.communityId, active: true, wechatContactId: IsNull() }), order: { id: 'ASC' } as never })
  return unbound.filter((x) => p.reissue || !x.bindCodeHash || !x.bindCodeExpiresAt || x.bindCodeExpiresAt <= now)
}

/** How many active people of the community are not bound yet and hold a live code issued earlier (not shown again). */
export async function unboundWithLiveCodes<T extends Bindable>(em: EntityManager, clock: Clock, kind: BindableKind<T>, p: { communityId: number }): Promise<number> {
  return em.count(kind.entity, { where: where<T>({ communityId: p.communityId, active: true, wechatContactId: IsNull(), bindCodeHash: Not(IsNull()), bindCodeExpiresAt: MoreThan(clock.now()) }) })
}

/**
 * Binds this contact to whoever of this kind holds the code live (replacing any earlier binding of theirs:
 * re-binding a new phone), and returns the remark the bot should give the contact; null when none does.
 */
export async function redeemCode<T extends Bindable>(em: EntityManager, clock: Clock, kind: BindableKind<T>, p: { codeHash: string; contactId: string }): Promise<{ person: T; remark: string } | null> {
  const now = clock.now()
  const person = await em.findOne(kind.entity, { where: where<T>({ bindCodeHash: p.codeHash, bindCodeExpiresAt: MoreThan(now), active: true }) })
  if (!person) return null
  const remark = `${person.name.slice(0, 20)}·${kind.remarkTag}${person.id}-${randomBytes(2).toString('hex')}`
  // One WeChat account is one person within a community: an earlier binding of this contact to someone else there ends.
  const others = await em.find(kind.entity, { where: where<T>({ communityId: person.communityId, wechatContactId: p.contactId, id: Not(person.id) }) })
  if (others.length) await em.update(kind.entity, where<T>({ id: In(others.map((x) => x.id)) }), where<T>({ wechatContactId: null, wechatRemark: null, boundAt: null }) as never)
  await em.update(kind.entity, where<T>({ id: person.id }), where<T>({ wechatContactId: p.contactId, wechatRemark: remark, boundAt: now, bindCodeHash: null, bindCodeExpiresAt: null }) as never)
  return { person: { ...person, wechatContactId: p.contactId, wechatRemark: remark, boundAt: now }, remark }
}

/**
 * The active person of this kind bound to the contact: by contact id, or by the remark the bot gave the
 * contact (then the new contact id is remembered). Scoped to one community when given. Never by name.
 */
export async function personForContact<T extends Bindable>(em: EntityManager, kind: BindableKind<T>, p: { contactId: string | null; remark?: string | null; communityId?: number | null }): Promise<T | null> {
  const scope = { active: true, ...(p.communityId != null ? { communityId: p.communityId } : {}) }
  if (p.contactId) {
    const byId = await em.findOne(kind.entity, { where: where<T>({ ...scope, wechatContactId: p.contactId }), order: { id: 'ASC' } as never })
    if (byId) return byId
  }
  if (!p.remark) return null
  const byRemark = await em.findOne(kind.entity, { where: where<T>({ ...scope, wechatRemark: p.remark }), order: { id: 'ASC' } as never })
  if (byRemark && p.contactId && byRemark.wechatContactId !== p.contactId) {
    await em.update(kind.entity, where<T>({ id: byRemark.id }), where<T>({ wechatContactId: p.contactId }) as never)
    byRemark.wechatContactId = p.contactId
  }
  return byRemark
}
