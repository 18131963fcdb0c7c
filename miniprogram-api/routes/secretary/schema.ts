import { z } from 'zod'
import { CATEGORIES, URGENCIES } from '../../../src/community/taxonomy.js'
import { STAFF_ROLES } from '../../../src/db/entities/index.js'
import { id, idParams, keysetCursor, pagination, text } from '../../schemas.js'
import { instantParam } from './period.js'

// Request schemas of the 书记's endpoints (validate() parses { body, query, params }).

const noBody = z.unknown()

/** ?from&to: dates (the community's days) or ISO times with offset. */
export const periodQuery = z.object({ from: instantParam.optional(), to: instantParam.optional() })
export const periodInput = z.object({ query: periodQuery, body: noBody, params: z.unknown() })

export const digestListQuery = z.object({ ...pagination })
export const digestListInput = z.object({ query: digestListQuery, body: noBody, params: z.unknown() })
export const idInput = z.object({ params: idParams, query: z.unknown(), body: noBody })

/** The triage queue: up to `limit` items (500 as before), then ?cursor=nextCursor for the rest. */
export const triageListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(500),
  cursor: keysetCursor.optional(),
})
export const triageListInput = z.object({ query: triageListQuery, body: noBody, params: z.unknown() })

/** Confirm the classification as is ({}), or change the category and/or urgency. */
export const triageBody = z.strictObject({
  category: z.enum(CATEGORIES).optional(),
  urgency: z.enum(URGENCIES).optional(),
})
export const triageInput = z.object({ params: idParams, body: triageBody, query: z.unknown() })

const buildingCodeInput = z.union([z.string(), z.number().int().nonnegative()])
  .transform((v) => String(v).trim().toUpperCase())
  .pipe(z.string().min(1, '楼栋编号不能为空').max(32))
const name = text(100)

export const gridCreateBody = z.strictObject({
  name,
  leaderStaffId: id,
  deputyStaffId: id.nullish(),
  /** the grid's buildings, as in the YAML */
  buildings: z.array(buildingCodeInput).max(500).optional(),
})
export const gridUpdateBody = z.strictObject({
  name: name.optional(),
  leaderStaffId: id.optional(),
  deputyStaffId: id.nullable().optional(),
  buildings: z.array(buildingCodeInput).max(500).optional(),
})
export const buildingCreateBody = z.strictObject({ code: buildingCodeInput, gridId: id.nullish() })
export const buildingUpdateBody = z.strictObject({ gridId: id.nullable() })

const phone = z.union([z.string(), z.number()]).transform(String)
  .pipe(z.string().trim().regex(/^(|\+?[0-9][0-9\- ]{4,19})$/, '手机号格式不正确，例如 13800000001'))
export const staffCreateBody = z.strictObject({
  name: text(64),
  wechat: text(64),
  role: z.enum(STAFF_ROLES),
  phone: phone.optional(),
})
export const staffUpdateBody = z.strictObject({
  name: text(64).optional(),
  wechat: text(64).optional(),
  role: z.enum(STAFF_ROLES).optional(),
  /** null or "" clears it */
  phone: phone.nullable().optional(),
  active: z.boolean().optional(),
})
export const roomCreateBody = z.strictObject({ topic: text(128), gridId: id.nullish() })
export const roomUpdateBody = z.strictObject({ topic: text(128).optional(), gridId: id.nullable().optional() })

export const bodyInput = <B extends z.ZodType>(body: B) => z.object({ body, query: z.unknown(), params: z.unknown() })
export const bodyWithIdInput = <B extends z.ZodType>(body: B) => z.object({ body, params: idParams, query: z.unknown() })

/** POST /api/admin/import as JSON */
export const importJsonBody = z.object({ yaml: z.string().min(1) })
