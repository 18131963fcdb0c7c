import { z } from 'zod'
import { CATEGORIES } from '../../../src/community/taxonomy.js'
import { MAX_TEXT_LENGTH } from '../../../src/intake/run.js'
import { instantParam } from '../secretary/period.js'

// Open311 GeoReport v2 parameters (http://wiki.open311.org/GeoReport_v2). Lists are comma-delimited;
// a repeated query parameter (?status=open&status=closed) means the same.

const commaList = <T extends z.ZodType>(item: T) => z.preprocess(
  (v) => (v === undefined ? undefined : (Array.isArray(v) ? v.join(',') : String(v)).split(',').map((s) => s.trim()).filter(Boolean)),
  z.array(item).min(1).optional(),
)
const single = z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().trim().min(1).max(100).optional())

export const jurisdictionQuery = z.object({ jurisdiction_id: single })

export const listRequestsQuery = z.object({
  jurisdiction_id: single,
  /** overrides every other filter */
  service_request_id: commaList(z.string().max(32)).refine((v) => !v || v.length <= 1000, 'at most 1000 ids'),
  service_code: commaList(z.enum(CATEGORIES, { message: `one of ${CATEGORIES.join(', ')}` })),
  start_date: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), instantParam.optional()),
  end_date: z.preprocess((v) => (Array.isArray(v) ? v[0] : v), instantParam.optional()),
  status: commaList(z.enum(['open', 'closed'], { message: 'open or closed' })),
})
export type ListRequestsQuery = z.infer<typeof listRequestsQuery>

export const requestIdParams = z.object({ id: z.string().trim().min(1).max(32) })

const optionalText = (max: number) => z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().trim().max(max).optional())

/** POST requests.json: form-encoded per the spec (JSON accepted too). Unknown fields (attribute[…]) are ignored. */
export const createRequestBody = z.object({
  jurisdiction_id: optionalText(100),
  service_code: z.enum(CATEGORIES, { message: `required: one of ${CATEGORIES.join(', ')}` }),
  description: z.string({ message: 'required: the text of the request' }).trim().min(1, 'required: the text of the request').max(MAX_TEXT_LENGTH, `at most ${MAX_TEXT_LENGTH} characters`),
  /** the building ("3号楼", "幸福里3号楼2单元502") routes it to the grid that owns it */
  address_string: optionalText(200),
  address_id: optionalText(100),
  lat: z.union([z.string(), z.number()]).optional(),
  long: z.union([z.string(), z.number()]).optional(),
  email: optionalText(254).pipe(z.email('a valid email address').optional()),
  device_id: optionalText(128),
  account_id: optionalText(128),
  first_name: optionalText(32),
  last_name: optionalText(32),
  phone: optionalText(32),
  media_url: optionalText(2000),
})
export type CreateRequestBody = z.infer<typeof createRequestBody>
