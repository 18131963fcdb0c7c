import { z } from 'zod'
import type { CommunitySnapshot } from '../../src/community/snapshot.js'
import { STAFF_ROLES, type Building, type ChatRoom, type Grid, type Staff } from '../../src/db/entities/index.js'

// The community's set-up as the 书记 manages it. Staff phones are shown masked only (work contacts
// from the community file); their hashes never leave the server.

const ref = z.object({ id: z.number().int(), name: z.string() })
const personRefView = ref.extend({ active: z.boolean() }).nullable()
export const gridView = z.object({ id: z.number().int(), name: z.string(), leader: personRefView, deputy: personRefView, buildings: z.array(z.string()), rooms: z.array(z.string()) })
export const buildingView = z.object({ id: z.number().int(), code: z.string(), grid: ref.nullable() })
export const staffMemberView = z.object({
  id: z.number().int(), name: z.string(), wechat: z.string(), role: z.enum(STAFF_ROLES),
  /** masked (138****0001) */
  phone: z.string().nullable(),
  active: z.boolean(), leads: z.array(z.string()), deputyOf: z.array(z.string()),
  /** has bound their WeChat with a 认证 code (staff powers in WeChat need it) */
  wechatBound: z.boolean(),
})
export const bindCodeView = z.object({
  staffId: z.number().int(), name: z.string(),
  code: z.string().meta({ description: 'six digits; the staff member sends 「认证 <code>」 to the bot in private chat' }),
  expiresAt: z.string(),
})
export const roomView = z.object({ id: z.number().int(), topic: z.string(), grid: ref.nullable(), boundToWechat: z.boolean() })

const personRef = (s: Staff | undefined) => (s ? { id: s.id, name: s.name, active: s.active } : null)

export function presentGrid(g: Grid, c: Pick<CommunitySnapshot, 'staff' | 'buildings' | 'rooms'>): z.infer<typeof gridView> {
  return {
    id: g.id,
    name: g.name,
    leader: personRef(c.staff.find((s) => s.id === g.leaderStaffId)),
    deputy: personRef(c.staff.find((s) => s.id === g.deputyStaffId)),
    buildings: c.buildings.filter((b) => b.gridId === g.id).map((b) => b.code).sort(codeOrder),
    rooms: c.rooms.filter((r) => r.gridId === g.id).map((r) => r.topic),
  }
}

export function presentBuilding(b: Building, c: Pick<CommunitySnapshot, 'grids'>): z.infer<typeof buildingView> {
  const grid = c.grids.find((g) => g.id === b.gridId)
  return { id: b.id, code: b.code, grid: grid ? { id: grid.id, name: grid.name } : null }
}

export function presentStaffMember(s: Staff, c: Pick<CommunitySnapshot, 'grids'>): z.infer<typeof staffMemberView> {
  return {
    id: s.id,
    name: s.name,
    wechat: s.wechat,
    role: s.role,
    phone: s.phoneMasked,
    active: s.active,
    leads: c.grids.filter((g) => g.leaderStaffId === s.id).map((g) => g.name),
    deputyOf: c.grids.filter((g) => g.deputyStaffId === s.id).map((g) => g.name),
    wechatBound: s.wechatContactId != null,
  }
}

export function presentRoom(r: ChatRoom, c: Pick<CommunitySnapshot, 'grids'>): z.infer<typeof roomView> {
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
