import { z } from 'zod'
import { CATEGORIES, URGENCIES } from '../../../src/community/taxonomy.js'
import { MAX_SPLIT_PARTS } from '../../../src/requests/requestSplitter.js'
import { requestView, taskView } from '../../presenters/request.js'
import { buildingCode, id, idParams, optionalText, shortCode, text } from '../../schemas.js'

export const withdrawBody = z.object({ reason: optionalText(200) })
export const withdrawSchema = z.object({ params: idParams, body: withdrawBody })
export const withdrawResponse = z.object({ request: requestView })

/** not_a_request: chatter or a notice filed by mistake; invalid: a real message that needs no handling (duplicate elsewhere, prank …) */
export const cancelBody = z.object({ kind: z.enum(['not_a_request', 'invalid']), reason: text(200) })
export const cancelSchema = z.object({ params: idParams, body: cancelBody })

/** the id of the open request this one duplicates */
export const mergeBody = z.object({ into: id, reason: optionalText(200) })
export const mergeSchema = z.object({ params: idParams, body: mergeBody })
export const mergeResponse = z.object({ task: taskView, into: taskView })

export const splitBody = z.object({
  parts: z.array(z.object({
    text: text(500),
    /** default: what the classifier reads in the text, else the original's category */
    category: z.enum(CATEGORIES).optional(),
    urgency: z.enum(URGENCIES).optional(),
  })).min(1).max(MAX_SPLIT_PARTS),
  reason: optionalText(200),
})
export const splitSchema = z.object({ params: idParams, body: splitBody })
export const splitResponse = z.object({ task: taskView, created: z.array(taskView) })

export const locationBody = z.object({ building: buildingCode, unit: shortCode(16), room: shortCode(16) })
export const locationSchema = z.object({ params: idParams, body: locationBody })
export const locationResponse = z.object({ request: z.union([taskView, requestView]) })

export const caseTaskResponse = z.object({ task: taskView })
