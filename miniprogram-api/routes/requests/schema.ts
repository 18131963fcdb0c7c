import { MAX_TEXT_LENGTH } from '../../../src/intake/run.js'
import { z } from 'zod'
import { CATEGORIES } from '../../../src/community/taxonomy.js'
import { REQUEST_STATUSES } from '../../../src/requests/stateMachine.js'
import { eventView } from '../../presenters/event.js'
import { photoView } from '../../presenters/photo.js'
import { requestView, taskView } from '../../presenters/request.js'
import { buildingCode, csvList, id, idParams, optionalText, pagination, shortCode, text } from '../../schemas.js'
import { photoIds } from '../photos/schema.js'

export const MAX_REQUEST_TEXT = MAX_TEXT_LENGTH

export const createRequestBody = z.object({
  text: text(MAX_REQUEST_TEXT).meta({ description: '居民描述的问题' }),
  building: buildingCode.nullish(),
  unit: shortCode(16),
  room: shortCode(16),
  /** The resident's own choice; the classifier still runs and a disagreement goes to triage. */
  category: z.enum(CATEGORIES).nullish(),
  photos: photoIds.optional(),
})
export const createRequestSchema = z.object({ body: createRequestBody })

/** Optional `Idempotency-Key` header: the same key from the same user never files twice. */
export const idempotencyKey = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'Idempotency-Key: 1–64 letters, digits or _ . : -')

export const createRequestResponse = z.object({
  request: requestView,
  /** created: a new request; attached: the same problem was already reported, you were added to it */
  outcome: z.enum(['created', 'attached']),
  message: z.string(),
  photos: z.array(z.number().int()),
})

export const listRequestsQuery = z.object({
  ...pagination,
  /** keyset pagination: items with id below this (use nextCursor); overrides page */
  cursor: id.optional(),
  status: csvList(z.enum(REQUEST_STATUSES)).optional(),
})
export const listRequestsSchema = z.object({ query: listRequestsQuery })
export const listRequestsResponse = z.object({
  items: z.array(requestView), page: z.number().int(), pageSize: z.number().int(), total: z.number().int(), nextCursor: z.number().int().nullable(),
})

export const getRequestSchema = z.object({ params: idParams })
export const requestDetailResponse = z.object({
  request: z.union([taskView, requestView]),
  timeline: z.array(eventView),
  photos: z.array(photoView),
  permissions: z.object({ rate: z.boolean(), comment: z.boolean() }),
})

export const ratingBody = z.object({
  /** "is it fixed?" — false reopens the request (重办) whatever the rating */
  solved: z.boolean(),
  rating: z.enum(['satisfied', 'basically_satisfied', 'unsatisfied']),
  words: optionalText(500),
})
export const ratingSchema = z.object({ params: idParams, body: ratingBody })

export const commentBody = z.object({ text: text(500), photos: photoIds.optional() })
export const commentSchema = z.object({ params: idParams, body: commentBody })
export const commentResponse = z.object({ comment: eventView })
