import { z } from 'zod'
import { KEYSET_CURSOR } from '../src/db/keyset.js'

// Shared zod building blocks for request schemas. Every string is made well-formed UTF-16
// (a lone surrogate would make MySQL's utf8mb4 reject the row) and stripped of NUL and other control characters.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
const clean = (s: string) => s.replace(LONE_SURROGATE, '\uFFFD').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim()

/** A trimmed, cleaned string of 1..max characters. */
export const text = (max: number) => z.string().transform(clean).pipe(z.string().min(1, '不能为空').max(max, `不能超过 ${max} 个字`))
/** Same, but empty means "not given" (null). */
export const optionalText = (max: number) =>
  z.string().transform(clean).pipe(z.string().max(max, `不能超过 ${max} 个字`)).transform((s) => (s === '' ? null : s)).nullish()

/** Building codes as residents write them: "3", "3号楼", "12栋", "B座" → "3", "12", "B". Numbers are accepted too. */
export const buildingCode = z.union([z.string(), z.number().int().nonnegative()])
  .transform((v) => clean(String(v)).replace(/(号楼|号|栋|幢|座|#)$/, '').toUpperCase())
  .pipe(z.string().min(1, '楼栋不能为空').max(16).regex(/^[0-9A-Z]+$/, '楼栋号只能是数字或字母，例如 3 或 B'))

export const shortCode = (max = 16) => z.union([z.string(), z.number().int().nonnegative()]).transform((v) => clean(String(v)).replace(/(单元|室|号)$/, ''))
  .pipe(z.string().max(max)).transform((s) => (s === '' ? null : s)).nullish()

/** A database id: a positive 32-bit integer, from a path or a JSON number/string. */
export const id = z.coerce.number().int().positive().max(2_147_483_647)

export const idParams = z.object({ id })

/** ?page=1&pageSize=20 */
export const pagination = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(50).default(20),
}

/** An opaque keyset cursor, as returned in nextCursor. */
export const keysetCursor = z.string().regex(KEYSET_CURSOR, 'cursor: use nextCursor from the previous page')

/** "true"/"false"/"1"/"0" in a query string. */
export const queryBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')

/** A comma-separated list or repeated parameter: ?status=a,b or ?status=a&status=b */
export const csvList = <T extends z.ZodType<unknown, string>>(item: T) =>
  z.union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item).max(20))

/** The `{ "error": { code, message } }` body, for the OpenAPI document. */
export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) })
