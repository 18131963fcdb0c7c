import type { CommunitySnapshot } from '../../src/community/snapshot.js'
import type { Building, ChatRoom, Grid, Staff } from '../../src/db/entities/index.js'

// The community's set-up as the 书记 manages it. Staff phones are shown masked only (work contacts
// from the community file); their hashes never leave the server.

const personRef = (s: Staff | undefined) => (s ? { id: s.id, name: s.name, active: s.active } : null)

export function presentGrid(g: Grid, c: Pick<CommunitySnapshot, 'staff' | 'buildings' | 'rooms'>) {
  return {
    id: g.id,
    name: g.name,
    leader: personRef(c.staff.find((s) => s.id === g.leaderStaffId)),
    deputy: personRef(c.staff.find((s) => s.id === g.deputyStaffId)),
    buildings: c.buildings.filter((b) => b.gridId === g.id).map((b) => b.code).sort(codeOrder),
    rooms: c.rooms.filter((r) => r.gridId === g.id).map((r) => r.topic),
  }
}

export function presentBuilding(b: Building, c: Pick<CommunitySnapshot, 'grids'>) {
  const grid = c.grids.find((g) => g.id === b.gridId)
  return { id: b.id, code: b.code, grid: grid ? { id: grid.id, name: grid.name } : null }
}

export function presentStaffMember(s: Staff, c: Pick<CommunitySnapshot, 'grids'>) {
  return {
    id: s.id,
    name: s.name,
    wechat: s.wechat,
    role: s.role,
    phone: s.phoneMasked,
    active: s.active,
    leads: c.grids.filter((g) => g.leaderStaffId === s.id).map((g) => g.name),
    deputyOf: c.grids.filter((g) => g.deputyStaffId === s.id).map((g) => g.name),
  }
}

export function presentRoom(r: ChatRoom, c: Pick<CommunitySnapshot, 'grids'>) {
  const grid = c.grids.find((g) => g.id === r.gridId)
  return { id: r.id, topic: r.topic, grid: grid ? { id: grid.id, name: grid.name } : null, boundToWechat: r.wechatRoomId !== null }
}

/** 1, 2, 10, A, B: numbers numerically, then letters. */
export function codeOrder(a: string, b: string): number {
  const na = /^\d+$/.test(a), nb = /^\d+$/.test(b)
  if (na && nb) return Number(a) - Number(b)
  if (na !== nb) return na ? -1 : 1
  return a.localeCompare(b)
}
