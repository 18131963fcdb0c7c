import type { EntityManager } from 'typeorm'
import { IsNull, Not } from 'typeorm'
import { careHash, decryptDetails } from '../care/crypto.js'
import { CareResident, ServiceRequest, type Resident } from '../db/entities/index.js'

export interface KnownPlace {
  building: string
  unit: string | null
  room: string | null
  /** where it was read: the resident's own profile, their care roster entry, or their latest request that named one */
  from: 'profile' | 'roster' | 'request'
}

/**
 * Where a resident lives, from what jiesu already knows: their profile, then their 关爱 roster entry (linked,
 * or found by WeChat name), then the latest of their own requests that named a building. Null when none does.
 * Used when a resident's own message names no place (a 心愿, a private report), so it reaches their grid.
 */
export async function knownPlaceOf(em: EntityManager, p: { communityId: number; resident: Resident; encryptionKey: string }): Promise<KnownPlace | null> {
  const r = p.resident
  if (r.building) return { building: r.building, unit: r.unit, room: r.room, from: 'profile' }
  const roster = await em.findOne(CareResident, { where: { communityId: p.communityId, residentId: r.id, active: true }, order: { id: 'ASC' } })
    ?? (r.wechatName ? await em.findOne(CareResident, { where: { communityId: p.communityId, wechatHash: careHash(r.wechatName, p.encryptionKey), active: true }, order: { id: 'ASC' } }) : null)
  if (roster) {
    const d = decryptDetails(roster.detailsEncrypted, p.encryptionKey)
    if (d.building) return { building: d.building, unit: d.unit, room: d.room, from: 'roster' }
  }
  const earlier = await em.findOne(ServiceRequest, {
    where: { communityId: p.communityId, reporterResidentId: r.id, building: Not(IsNull()) }, order: { id: 'DESC' },
    select: { id: true, building: true, unit: true, roomNo: true },
  })
  return earlier?.building ? { building: earlier.building, unit: earlier.unit, room: earlier.roomNo, from: 'request' } : null
}
