import type { CommunitySnapshot } from './snapshot.js'
import { secretaryOf } from './snapshot.js'
import type { Category, Urgency } from './taxonomy.js'

export interface RouteInput {
  building: string | null
  /** the chat room the report came from, if any */
  chatRoomId: number | null
  category: Category
  urgency: Urgency
}

export type RouteRule = 'category_override' | 'building_grid' | 'room_grid' | 'duty_dispatcher'

export interface Route {
  /** Staff who owns the request (the assignee). */
  ownerStaffId: number | null
  /** The grid the request belongs to, for statistics and the grid's deputy, even when a specialist owns it. */
  gridId: number | null
  /** Staff who are told but do not own it (e.g. the 书记 for urgent requests). */
  notifyStaffIds: number[]
  rule: RouteRule
}

/**
 * Who owns a request, trying in order: the category's routing override, the grid of the named building,
 * the grid bound to the room, and the 书记 as duty dispatcher. Urgent requests also tell the 书记.
 * Pure: table-tested without a database.
 */
export function route(c: CommunitySnapshot, input: RouteInput): Route {
  const active = (id: number | null | undefined) => (id == null ? null : c.staff.find((s) => s.id === id && s.active) ?? null)
  const code = input.building?.toUpperCase()
  const buildingGrid = code ? c.buildings.find((b) => b.code === code)?.gridId ?? null : null
  const roomGrid = input.chatRoomId != null ? c.rooms.find((r) => r.id === input.chatRoomId)?.gridId ?? null : null
  const gridId = buildingGrid ?? roomGrid
  const leaderOf = (gid: number | null) => active(c.grids.find((g) => g.id === gid)?.leaderStaffId)
    ?? active(c.grids.find((g) => g.id === gid)?.deputyStaffId)

  let owner: number | null = null
  let rule: RouteRule = 'duty_dispatcher'
  const overrideRole = c.community.settings.routing?.[input.category]
  const specialist = overrideRole ? c.staff.find((s) => s.role === overrideRole && s.active) : undefined
  if (specialist) { owner = specialist.id; rule = 'category_override' }
  else if (buildingGrid != null && leaderOf(buildingGrid)) { owner = leaderOf(buildingGrid)!.id; rule = 'building_grid' }
  else if (roomGrid != null && leaderOf(roomGrid)) { owner = leaderOf(roomGrid)!.id; rule = 'room_grid' }
  else owner = secretaryOf(c)?.id ?? null

  const notify = new Set<number>()
  const secretary = secretaryOf(c)
  if (input.urgency === 'urgent' && secretary && secretary.id !== owner) notify.add(secretary.id)
  return { ownerStaffId: owner, gridId, notifyStaffIds: [...notify], rule }
}
