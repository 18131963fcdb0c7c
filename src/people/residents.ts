import type { EntityManager } from 'typeorm'
import { Resident } from '../db/entities/index.js'
import { insertRows } from '../db/insertRows.js'

/** The resident behind a WeChat name in a community; created the first time they speak. One SELECT when known. */
export async function findOrCreateWechatResident(em: EntityManager, p: { communityId: number; wechatName: string; contactId?: string | null }): Promise<Resident> {
  const existing = await em.findOne(Resident, { where: { communityId: p.communityId, wechatName: p.wechatName }, order: { id: 'ASC' } })
  if (existing) {
    if (p.contactId && existing.wechatContactId !== p.contactId) {
      existing.wechatContactId = p.contactId
      await em.update(Resident, { id: existing.id }, { wechatContactId: p.contactId, updatedAt: new Date() })
    }
    return existing
  }
  const [created] = await insertRows(em, Resident, [{
    communityId: p.communityId, wechatName: p.wechatName, wechatContactId: p.contactId ?? null, name: p.wechatName, vulnerability: [],
  }])
  return created!
}
