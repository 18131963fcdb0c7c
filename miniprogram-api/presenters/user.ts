import { z } from 'zod'
import { STAFF_ROLES, type Community, type Resident, type Staff, type StaffRole } from '../../src/db/entities/index.js'

export const STAFF_ROLE_NAMES: Record<StaffRole, string> = { grid_leader: '网格员', mediator: '调解员', social_worker: '社工', secretary: '社区书记' }

export const userView = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  building: z.string().nullable(),
  unit: z.string().nullable(),
  room: z.string().nullable(),
  /** the caller's own phone, masked (138****0001) */
  phone: z.string().nullable(),
  community: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  role: z.enum(['resident', ...STAFF_ROLES]),
  roleName: z.string(),
  staff: z.object({ id: z.number().int(), name: z.string(), role: z.enum(STAFF_ROLES) }).nullable(),
  subscribeAllowed: z.boolean(),
})
export type UserView = z.infer<typeof userView>

/** The caller's own profile. Only ever presented to that user; the phone is masked, the openid never leaves the server. */
export function presentUser(r: Resident, staff: Staff | null, community: Pick<Community, 'id' | 'name'> | null): UserView {
  return {
    id: r.id,
    name: r.name,
    building: r.building,
    unit: r.unit,
    room: r.room,
    phone: r.phoneMasked,
    community: community ? { id: community.id, name: community.name } : null,
    role: staff?.role ?? 'resident',
    roleName: staff ? STAFF_ROLE_NAMES[staff.role] : '居民',
    staff: staff ? { id: staff.id, name: staff.name, role: staff.role } : null,
    subscribeAllowed: r.subscribeAllowed,
  }
}
