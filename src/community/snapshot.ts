import type { EntityManager } from 'typeorm'
import { Building, ChatRoom, Community, Grid, Staff } from '../db/entities/index.js'
import { NotFoundError } from '../errors.js'

/** Everything routing needs about a community, loaded in one go (communities are small). */
export interface CommunitySnapshot {
  community: Community
  grids: Grid[]
  buildings: Building[]
  staff: Staff[]
  rooms: ChatRoom[]
}

export async function loadCommunity(em: EntityManager, communityId: number): Promise<CommunitySnapshot> {
  const community = await em.findOne(Community, { where: { id: communityId } })
  if (!community) throw new NotFoundError('社区', 'community_not_found')
  const [grids, buildings, staff, rooms] = await Promise.all([
    em.find(Grid, { where: { communityId }, order: { id: 'ASC' } }),
    em.find(Building, { where: { communityId } }),
    em.find(Staff, { where: { communityId }, order: { id: 'ASC' } }),
    em.find(ChatRoom, { where: { communityId } }),
  ])
  return { community, grids, buildings, staff, rooms }
}

export const secretaryOf = (c: Pick<CommunitySnapshot, 'staff'>) => c.staff.find((s) => s.role === 'secretary' && s.active) ?? null
export const staffById = (c: Pick<CommunitySnapshot, 'staff'>, id: number | null | undefined) => (id == null ? null : c.staff.find((s) => s.id === id) ?? null)
