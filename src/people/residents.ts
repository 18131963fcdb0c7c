import type { EntityManager } from 'typeorm'
import { Resident } from '../db/entities/index.js'
import { insertRowIfAbsent } from '../db/insertRows.js'

/**
 * The resident behind a WeChat name in a community; created the first time they speak. One SELECT when known;
 * a caller that has just read the sender (`known`: their row, or null for none) saves even that.
 */
export async function findOrCreateWechatResident(em: EntityManager, p: { communityId: number; wechatName: string; contactId?: string | null }, known?: Resident | null): Promise<Resident> {
  const existing = known !== undefined ? known : await findWechatResident(em, p)
  if (existing) {
    if (p.contactId && existing.wechatContactId !== p.contactId) {
      existing.wechatContactId = p.contactId
      await em.update(Resident, { id: existing.id }, { wechatContactId: p.contactId, updatedAt: new Date() })
    }
    return existing
  }
  const now = new Date()
  // Unless someone else made them meanwhile (then they are read).
  const created = await insertRowIfAbsent(em, Resident, {
    communityId: p.communityId, wechatName: p.wechatName, wechatContactId: p.contactId ?? null, name: p.wechatName, vulnerability: [], createdAt: now, updatedAt: now,
  }, ['communityId', 'wechatName'])
  return created ?? findOrCreateWechatResident(em, p)
}

const findWechatResident = (em: EntityManager, p: { communityId: number; wechatName: string }) =>
  em.findOne(Resident, { where: { communityId: p.communityId, wechatName: p.wechatName }, order: { id: 'ASC' } })
