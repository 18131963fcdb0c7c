import type { EntityManager } from 'typeorm'
import { Community, Resident, Staff, type StaffRole } from '../../src/db/entities/index.js'
import type { Principal } from '../principal.js'

const ROLE_RANK: Record<StaffRole, number> = { secretary: 0, grid_leader: 1, mediator: 2, social_worker: 3 }

/**
 * The active staff member whose phone (from the community file) is this resident's bound phone.
 * The resident's own community wins; then the highest role.
 */
export async function staffForResident(em: EntityManager, resident: Resident): Promise<Staff | null> {
  if (!resident.phoneHash) return null
  const matches = await em.find(Staff, { where: { phoneHash: resident.phoneHash, active: true }, order: { id: 'ASC' } })
  matches.sort((a, b) => Number(b.communityId === resident.communityId) - Number(a.communityId === resident.communityId) || ROLE_RANK[a.role] - ROLE_RANK[b.role])
  return matches[0] ?? null
}

/** A staff claim in a token still holds only while the staff row is active and the resident keeps that phone. */
export function staffClaimHolds<S extends Pick<Staff, 'active' | 'phoneHash'>>(resident: Pick<Resident, 'phoneHash'>, staff: S | null): staff is S {
  return !!staff && staff.active && !!resident.phoneHash && staff.phoneHash === resident.phoneHash
}

export function principalFor(resident: Pick<Resident, 'id' | 'communityId' | 'openid'>, staff: Pick<Staff, 'id' | 'communityId' | 'role'> | null): Principal {
  if (staff) return { kind: 'staff', staffId: staff.id, communityId: staff.communityId, role: staff.role, residentId: resident.id, openid: resident.openid }
  return { kind: 'resident', residentId: resident.id, communityId: resident.communityId, openid: resident.openid ?? '' }
}

/** A user who has not said where they live belongs to the only community, if there is exactly one. */
export async function soleCommunityId(em: EntityManager): Promise<number | null> {
  const ids = await em.find(Community, { select: { id: true }, take: 2, order: { id: 'ASC' } })
  return ids.length === 1 ? ids[0]!.id : null
}
