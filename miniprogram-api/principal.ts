import type { StaffRole } from '../src/db/entities/index.js'

/** Who is calling, from the verified JWT. Set on ctx.state.principal by the auth middleware. */
export type Principal =
  | { kind: 'resident'; residentId: number; communityId: number | null; openid: string }
  | { kind: 'staff'; staffId: number; communityId: number; role: StaffRole; residentId: number | null; openid: string | null }
