import { TEXT_LIMITS } from '../../../src/requests/limits.js'
import { z } from 'zod'
import { CATEGORIES } from '../../../src/community/taxonomy.js'
import { REQUEST_STATUSES } from '../../../src/requests/stateMachine.js'
import { taskView } from '../../presenters/request.js'
import { csvList, idParams, keysetCursor, pagination, queryBool, text } from '../../schemas.js'
import { photoIds } from '../photos/schema.js'

export const listTasksQuery = z.object({
  ...pagination,
  /** default: the statuses still needing action (dispatched, accepted, reopened; the 书记 also new and returned) */
  status: csvList(z.enum(REQUEST_STATUSES)).optional(),
  category: csvList(z.enum(CATEGORIES)).optional(),
  /** true: only those past their 签收 or 办结 deadline; false: only those not */
  overdue: queryBool.optional(),
  /** keyset pagination: the items after this one (pass nextCursor); overrides page */
  cursor: keysetCursor.optional(),
})
export const listTasksSchema = z.object({ query: listTasksQuery })
export const listTasksResponse = z.object({
  items: z.array(taskView), page: z.number().int(), pageSize: z.number().int(), total: z.number().int(),
  /** cursor of the next page (?cursor=), null on the last page */
  nextCursor: z.string().nullable(),
})

export const taskParamsSchema = z.object({ params: idParams })

export const resolveBody = z.object({ note: text(TEXT_LIMITS.resolutionNote), photos: photoIds.optional() })
export const resolveSchema = z.object({ params: idParams, body: resolveBody })

export const returnBody = z.object({ reason: text(TEXT_LIMITS.returnReason) })
export const returnSchema = z.object({ params: idParams, body: returnBody })

/** 转派 to a colleague, by name or WeChat name as in the community file */
export const transferBody = z.object({ staff: text(64) })
export const transferSchema = z.object({ params: idParams, body: transferBody })

export const taskResponse = z.object({ task: taskView })
