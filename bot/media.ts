import { MoreThanOrEqual } from 'typeorm'
import { loadCommunity, staffById } from '../src/community/snapshot.js'
import { Attachment, RequestEvent, RequestReporter, Resident, ServiceRequest, type ChatRoom, type InboxMessage } from '../src/db/entities/index.js'
import { recordEvent } from '../src/requests/index.js'
import { dmReply, errorText, finish, roomReply, type Also, type Handling, type Result } from './handling.js'
import { gridLeaderOf, senderStaff } from './lookups.js'
import { intakeText } from './report.js'
import * as T from './texts.js'

/** A resident's photo within this long of their report is attached to it. */
export const RESIDENT_IMAGE_WINDOW_MS = 5 * 60_000
/** A staff member's photo within this long of their 完成 is attached to that request. */
export const STAFF_PHOTO_WINDOW_MS = 10 * 60_000

/**
 * A photo from a staff member within 10 minutes of their 完成 goes to that request; from a resident,
 * within 5 minutes of their report. Otherwise a private sender is asked what it is about.
 */
export async function attachImage(h: Handling, row: InboxMessage, communityId: number | null, also?: Also): Promise<Result> {
  const db = h.ctx.db
  const file = fileOf(row)
  const at = row.receivedAt.getTime()
  let target: { requestId: number; uploaderType: 'staff' | 'resident'; uploaderId: number } | null = null
  if (file && communityId != null) {
    const staff = await senderStaff(db, row, communityId)
    if (staff) {
      const done = await db.getRepository(RequestEvent).findOne({
        where: { actorType: 'staff', actorId: staff.id, toStatus: 'resolved', createdAt: MoreThanOrEqual(new Date(at - STAFF_PHOTO_WINDOW_MS)) },
        order: { id: 'DESC' },
      })
      if (done) target = { requestId: done.requestId, uploaderType: 'staff', uploaderId: staff.id }
    }
    if (!target) {
      const resident = await db.getRepository(Resident).findOne({ where: { communityId, wechatName: row.senderName! }, order: { id: 'ASC' } })
      const reported = resident && await db.getRepository(RequestReporter).findOne({
        where: { residentId: resident.id, createdAt: MoreThanOrEqual(new Date(at - RESIDENT_IMAGE_WINDOW_MS)) }, order: { id: 'DESC' },
      })
      if (resident && reported) target = { requestId: reported.requestId, uploaderType: 'resident', uploaderId: resident.id }
    }
  }
  if (!target || !file) {
    const fromStaff = communityId != null && (await senderStaff(db, row, communityId)) != null
    return finish(h, row, { outcome: 'image_unmatched', replies: row.roomTopic ? [] : [dmReply(row, fromStaff ? T.STAFF_PHOTO_UNMATCHED : T.IMAGE_WITHOUT_REQUEST)], also })
  }
  const request = await db.getRepository(ServiceRequest).findOneByOrFail({ id: target.requestId })
  const t = target
  return finish(h, row, {
    outcome: 'image_attached', requestId: t.requestId,
    replies: row.roomTopic ? [] : [dmReply(row, T.imageAttached(request.no))],
    also: async (em) => {
      await also?.(em)
      const saved = await em.save(Attachment, em.create(Attachment, {
        requestId: t.requestId, kind: 'image', storageKey: file.storageKey, mime: file.mime, size: file.size,
        uploaderType: t.uploaderType, uploaderId: t.uploaderId, createdAt: h.ctx.clock.now(),
      }))
      await recordEvent(em, h.ctx.clock, {
        requestId: t.requestId, type: 'attachment_added', actor: { type: t.uploaderType, id: t.uploaderId },
        channel: row.roomTopic ? 'group' : 'private', data: { attachmentId: saved.id, kind: 'image' },
      })
    },
  })
}

/** The voice message as text; null when there is no transcriber, no file, or transcription fails. */
export async function transcribe(h: Handling, row: InboxMessage): Promise<string | null> {
  const file = fileOf(row)
  if (!h.transcribe || !file) return null
  try {
    const audio = await h.storage.get(file.storageKey)
    if (!audio) return null
    const text = (await h.transcribe(audio, file.name ?? file.storageKey.split('/').pop()!)).trim()
    return text || null
  } catch (err) {
    h.ctx.logger.warn({ inboxId: row.id, err: errorText(err) }, 'voice transcription failed; asking for typed text')
    return null
  }
}

/** A voice message in a group: a report once transcribed; otherwise the sender is asked to type, or call their grid leader. */
export async function roomVoice(h: Handling, row: InboxMessage, communityId: number, room: ChatRoom, also?: Also): Promise<Result> {
  const heard = await transcribe(h, row)
  if (heard) return intakeText(h, row, heard, communityId, room, also)
  let leader: string | null = null
  if (room.gridId) {
    const community = await loadCommunity(h.ctx.db.manager, communityId)
    const grid = community.grids.find((g) => g.id === room.gridId)
    leader = staffById(community, grid?.leaderStaffId)?.name ?? null
  }
  // A community-wide group has no grid of its own: name the leader who looks after this resident.
  leader ??= await gridLeaderOf(h.ctx.db, row.senderName!, communityId)
  return finish(h, row, { outcome: 'voice_unreadable', replies: [roomReply(row, T.voiceFallback(leader))], also })
}

interface StoredFile { storageKey: string; mime: string; size: number; name?: string }

function fileOf(row: InboxMessage): StoredFile | null {
  const f = row.payload?.file as StoredFile | undefined
  return f && typeof f.storageKey === 'string' ? f : null
}
