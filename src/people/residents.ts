import type { EntityManager } from 'typeorm'
import { Resident } from '../db/entities/index.js'

/** The resident behind a WeChat name in a community; created the first time they speak. */
export async function findOrCreateWechatResident(em: EntityManager, p: { communityId: number; wechatName: string; contactId?: string | null }): Promise<Resident> {
  const existing = await em.findOne(Resident, { where: { communityId: p.communityId, wechatName: p.wechatName }, order: { id: 'ASC' } })
  if (existing) {
    if (p.contactId && existing.wechatContactId !== p.contactId) {
      existing.wechatContactId = p.contactId
      await em.save(Resident, existing)
    }
    return existing
  }
  return em.save(Resident, em.create(Resident, {
    communityId: p.communityId, wechatName: p.wechatName, wechatContactId: p.contactId ?? null, name: p.wechatName, vulnerability: [],
  }))
}
