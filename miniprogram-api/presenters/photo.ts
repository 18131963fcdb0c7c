import { z } from 'zod'
import type { Attachment } from '../../src/db/entities/index.js'

export const photoView = z.object({ id: z.number().int(), url: z.string(), mime: z.string(), size: z.number().int(), createdAt: z.string() })
export type PhotoView = z.infer<typeof photoView>

/** A photo's public face: where to fetch it (the URL checks access on every call), never its storage key. */
export const presentPhoto = (a: Attachment): PhotoView => ({ id: a.id, url: `/api/photos/${a.id}`, mime: a.mime, size: a.size, createdAt: a.createdAt.toISOString() })
