import { MoreThanOrEqual } from 'typeorm'
import { loadCommunity, secretaryOf, staffById } from '../src/community/snapshot.js'
import { Resident, VolunteerTask, type InboxMessage } from '../src/db/entities/index.js'
import { inTransaction } from '../src/db/transaction.js'
import { markProcessed } from '../src/inbox/inbox.js'
import { extractLocation, isPlaceAnswer } from '../src/intake/location.js'
import { enqueue } from '../src/outbox/outbox.js'
import { draftToStaff } from '../src/requests/notify.js'
import * as VT from '../src/volunteers/texts.js'
import { dmReply, type Handling, type Result } from './handling.js'

/** How long after a 心愿 a bare place ("3号楼2单元") is read as where the wish is. */
export const WISH_PLACE_MINUTES = 60

/** "3号楼2单元", "我住5栋301": a building, and nothing else (the same rule as an answer to "几号楼几单元？"). */
export function isJustPlace(text: string): boolean {
  return extractLocation(text).building !== null && isPlaceAnswer(text)
}

/**
 * A resident's bare place right after their 心愿 whose place was unknown: it is where the wish is. Their profile
 * keeps it, the wish joins that grid, and the grid leader is told — never a ticket. Null when it is not that.
 */
export async function wishPlace(h: Handling, row: InboxMessage, communityId: number, clean: string): Promise<Result | null> {
  if (!isJustPlace(clean)) return null
  const { db, clock } = h.ctx
  const resident = await db.getRepository(Resident).findOne({ where: { communityId, wechatName: row.senderName! }, order: { id: 'ASC' } })
  if (!resident) return null
  const since = new Date(clock.now().getTime() - WISH_PLACE_MINUTES * 60_000)
  const task = await db.getRepository(VolunteerTask).findOne({
    where: { communityId, residentId: resident.id, source: 'wish', createdAt: MoreThanOrEqual(since) }, order: { id: 'DESC' },
  })
  if (!task || task.gridId != null) return null
  const loc = extractLocation(clean)
  return inTransaction(db, async (em) => {
    const community = await loadCommunity(em, communityId)
    const grid = community.grids.find((g) => g.id === community.buildings.find((b) => b.code === loc.building)?.gridId)
    if (!resident.building) await em.update(Resident, { id: resident.id }, { building: loc.building, unit: loc.unit, room: loc.room })
    if (grid) await em.update(VolunteerTask, { id: task.id }, { gridId: grid.id })
    const leader = staffById(community, grid?.leaderStaffId) ?? staffById(community, grid?.deputyStaffId) ?? secretaryOf(community)
    const draft = draftToStaff(leader, `wish:${task.id}:placed`, VT.wishPlacedForStaffText(task, resident.name ?? resident.wechatName ?? '居民', loc))
    await enqueue(em, clock, [...(draft ? [draft] : []), dmReply(row, VT.wishPlacedText(task, loc, leader?.name ?? null))])
    await markProcessed(em, clock, row, null)
    return { outcome: 'answered' as const, requestId: null }
  })
}
