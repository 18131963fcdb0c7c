import type { EntityManager } from 'typeorm'
import { In, IsNull } from 'typeorm'
import type { Clock } from '../../../src/clock.js'
import { Attachment, type Channel } from '../../../src/db/entities/index.js'
import { ConflictError, DomainError } from '../../../src/errors.js'
import { recordEvent, type Actor } from '../../../src/requests/events.js'
import { ownsUpload, type Viewer } from '../../policies.js'
import { MAX_PHOTOS } from './schema.js'

/** The caller's own, not yet attached uploads with these ids; anything else is a 400 naming the id. */
export async function checkOwnPhotos(em: EntityManager, viewer: Viewer, ids: number[]): Promise<Attachment[]> {
  if (!ids.length) return []
  const rows = await em.find(Attachment, { where: { id: In(ids) } })
  for (const id of ids) {
    const a = rows.find((r) => r.id === id)
    if (!a || !ownsUpload(viewer, a) || a.kind !== 'image') throw new DomainError('photo_not_found', `照片 ${id} 不存在，请重新上传`, 400, { photoId: id })
    if (a.requestId != null) throw new ConflictError('photo_already_used', `照片 ${id} 已用于其他工单，请重新上传`, { photoId: id })
  }
  return rows
}

/**
 * Attaches the caller's uploads to a request (at most MAX_PHOTOS per request) and records a `photos`
 * event so the timeline shows them. Runs in the caller's transaction.
 *
 * `bestEffort`: for a submission intake has already filed (or attached to someone else's request), where
 * failing would hide a request that exists. Photos that no longer qualify (used meanwhile) or that do
 * not fit under MAX_PHOTOS stay unattached (the caller may use them again); returns the ids attached.
 */
export async function attachPhotos(em: EntityManager, clock: Clock, p: { requestId: number; ids: number[]; viewer: Viewer; actor: Actor; channel: Channel; stage: 'report' | 'resolution' | 'comment'; bestEffort?: boolean }): Promise<number[]> {
  if (!p.ids.length) return []
  let ids = p.ids
  if (p.bestEffort) {
    const rows = await em.find(Attachment, { where: { id: In(ids) } })
    ids = ids.filter((id) => rows.some((a) => a.id === id && a.kind === 'image' && a.requestId == null && ownsUpload(p.viewer, a)))
  } else {
    await checkOwnPhotos(em, p.viewer, ids)
  }
  const already = await em.count(Attachment, { where: { requestId: p.requestId } })
  if (p.bestEffort) ids = ids.slice(0, Math.max(0, MAX_PHOTOS - already))
  else if (already + ids.length > MAX_PHOTOS) throw new DomainError('too_many_photos', `每个工单最多 ${MAX_PHOTOS} 张照片`, 400, { max: MAX_PHOTOS, existing: already })
  if (!ids.length) return []
  const result = await em.createQueryBuilder().update(Attachment).set({ requestId: p.requestId })
    .where({ id: In(ids), requestId: IsNull() }).execute()
  if ((result.affected ?? ids.length) !== ids.length) throw new ConflictError('photo_already_used', '照片已用于其他工单，请重新上传')
  await recordEvent(em, clock, { requestId: p.requestId, type: 'photos', actor: p.actor, channel: p.channel, data: { attachmentIds: ids, stage: p.stage } })
  return ids
}
