import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import type { CommunityFile } from '../community/schema.js'
import { loadCommunity } from '../community/snapshot.js'
import { Volunteer, VolunteerTask, VolunteerTaskEvent, type Grid } from '../db/entities/index.js'
import { hashPhone, maskMobile, normalizeMobile } from '../people/phone.js'
import { sendOffer, transitionTask } from './tasks.js'

/**
 * Creates, updates and deactivates the community's 志愿者 from the file, in the import's transaction.
 * Idempotent: only what differs is written. Someone no longer listed is deactivated and their WeChat
 * binding ends; a task they had claimed goes back to the grid's other volunteers; their history and points stay.
 */
export async function importVolunteers(em: EntityManager, clock: Clock, p: {
  doc: CommunityFile; communityId: number; gridByName: Map<string, Grid>; encryptionKey: string
}): Promise<{ created: number; updated: number; deactivated: number }> {
  const out = { created: 0, updated: 0, deactivated: 0 }
  const existing = await em.find(Volunteer, { where: { communityId: p.communityId } })
  const listed = new Set<string>()
  for (const v of p.doc.volunteers) {
    listed.add(v.wechat)
    const phone = v.phone ? normalizeMobile(v.phone) ?? v.phone : null
    const values = {
      communityId: p.communityId, name: v.name, wechat: v.wechat, active: true,
      gridIds: [...new Set(v.grids.map((g) => p.gridByName.get(g)!.id))].sort((a, b) => a - b),
      phoneMasked: phone ? maskMobile(phone) : null,
      phoneHash: phone ? hashPhone(phone, p.encryptionKey) : null,
    }
    const row = existing.find((x) => x.wechat === v.wechat)
    if (!row) {
      await em.save(Volunteer, em.create(Volunteer, { ...values, wechatContactId: null, wechatRemark: null, bindCodeHash: null, bindCodeExpiresAt: null, boundAt: null }))
      out.created++
      continue
    }
    const changed = Object.entries(values).some(([k, val]) => JSON.stringify((row as unknown as Record<string, unknown>)[k]) !== JSON.stringify(val))
    if (!changed) continue
    await em.update(Volunteer, { id: row.id }, values)
    out.updated++
  }
  for (const row of existing) {
    if (listed.has(row.wechat) || !row.active) continue
    await em.update(Volunteer, { id: row.id }, { active: false, wechatContactId: null, wechatRemark: null, boundAt: null, bindCodeHash: null, bindCodeExpiresAt: null })
    out.deactivated++
    for (const t of await em.find(VolunteerTask, { where: { volunteerId: row.id, status: 'claimed' } })) {
      const task = await transitionTask(em, clock, { taskId: t.id, action: 'release', actor: { type: 'system', id: null }, set: { volunteerId: null, claimedAt: null }, data: { reason: 'volunteer_deactivated' } })
      const round = await em.count(VolunteerTaskEvent, { where: { taskId: t.id, type: 'release' } })
      await sendOffer(em, clock, await loadCommunity(em, p.communityId), task, round, row.id)
    }
  }
  return out
}
