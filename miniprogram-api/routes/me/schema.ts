import { z } from 'zod'
import { buildingCode, id, optionalText, shortCode } from '../../schemas.js'

export const updateMeBody = z.object({
  name: optionalText(32),
  building: buildingCode.nullish(),
  unit: shortCode(16),
  room: shortCode(16),
  /** Needed once when the resident has no community and there is more than one. */
  communityId: id.optional(),
  /** The resident accepted subscribe messages (wx.requestSubscribeMessage) */
  subscribeAllowed: z.boolean().optional(),
})
export const updateMeSchema = z.object({ body: updateMeBody })
export type UpdateMe = z.infer<typeof updateMeBody>

export const communitiesResponse = z.object({
  items: z.array(z.object({ id: z.number().int(), name: z.string(), buildings: z.array(z.string()) })),
})
