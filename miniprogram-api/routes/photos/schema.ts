import { z } from 'zod'
import { id, idParams } from '../../schemas.js'
import { photoView } from '../../presenters/photo.js'

export const MAX_PHOTO_BYTES = 5 * 1024 * 1024
export const MAX_PHOTOS = 9

/** Photo ids returned by POST /api/photos, referenced when submitting or resolving a request. */
export const photoIds = z.array(id).max(MAX_PHOTOS, `最多 ${MAX_PHOTOS} 张照片`).transform((ids) => [...new Set(ids)])

export const uploadBody = z.object({
  photo: z.array(z.string().meta({ format: 'binary' })).max(MAX_PHOTOS).meta({ description: `jpeg, png or webp, ≤ 5 MB each, at most ${MAX_PHOTOS}; any field name` }),
})
export const uploadResponse = z.object({ items: z.array(photoView) })

export const getPhotoSchema = z.object({ params: idParams })
