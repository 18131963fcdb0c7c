import type { EntityManager } from 'typeorm'
import { MoreThan } from 'typeorm'
import type { Clock } from '../clock.js'
import { ChatRoom, RoomNotice } from '../db/entities/index.js'
import { buildingFromRoom, extractLocation } from '../intake/location.js'
import { sqlDate } from '../db/rawRows.js'

/** A notice is answered from for two days (an outage announced for tomorrow, and the day itself). */
export const NOTICE_TTL_MS = 48 * 3600_000

/** What a notice announces, and how a resident's question about the same thing reads. */
const TOPICS: { topic: string; notice: RegExp; asked: RegExp }[] = [
  { topic: 'water', notice: /停水|供水|断水|水管.{0,4}(检修|维修|改造)|管网/, asked: /停水|没水|没有水|水压|供水|来水|断水/ },
  { topic: 'power', notice: /停电|供电|断电|电力.{0,4}(检修|维修)|线路.{0,4}(检修|改造)/, asked: /停电|没电|没有电|来电|断电|供电/ },
  { topic: 'lift', notice: /电梯.{0,8}(保养|维保|检修|停运|维修|年检)|(保养|维保|检修|停运|年检).{0,8}电梯/, asked: /电梯/ },
  { topic: 'gas', notice: /停气|燃气.{0,6}(检修|停供|改造)|天然气.{0,6}(检修|停供)/, asked: /停气|燃气|天然气|没气/ },
]

/** The topics a staff member's group message announces (empty: not a notice residents will ask about). */
export function noticeTopics(text: string): string[] {
  return TOPICS.filter((t) => t.notice.test(text)).map((t) => t.topic)
}

/** The topics a resident's message asks about. */
export function askedTopics(text: string): string[] {
  return TOPICS.filter((t) => t.asked.test(text)).map((t) => t.topic)
}

/** Keeps a staff notice for its room. */
export async function recordNotice(em: EntityManager, clock: Clock, p: { communityId: number; chatRoomId: number; staffId: number; text: string; topics: string[] }) {
  const now = clock.now()
  return em.save(RoomNotice, em.create(RoomNotice, { ...p, createdAt: now, expiresAt: new Date(now.getTime() + NOTICE_TTL_MS) }))
}

/**
 * The latest unexpired notice about what the resident asks: one posted in the room they ask in, or — asked
 * anywhere in the community ("3号楼明天停水吗？" in private or in the community-wide group) — one posted in the
 * group of the building they name, or naming it. null when there is none.
 */
export async function noticeFor(em: EntityManager, clock: Clock, p: { communityId: number; chatRoomId: number | null; text: string }): Promise<RoomNotice | null> {
  const asked = askedTopics(p.text)
  if (!asked.length) return null
  const notices = await em.find(RoomNotice, { where: { communityId: p.communityId, expiresAt: MoreThan(clock.now()) }, order: { id: 'DESC' }, take: 20 })
  const about = notices.filter((n) => n.topics.some((t) => asked.includes(t)))
  const here = about.find((n) => n.chatRoomId === p.chatRoomId)
  if (here) return here
  const building = extractLocation(p.text).building
  if (!building) return null
  const rooms = await em.find(ChatRoom, { where: { communityId: p.communityId }, select: { id: true, topic: true } })
  const buildingOf = (n: RoomNotice) => buildingFromRoom(rooms.find((r) => r.id === n.chatRoomId)?.topic) ?? extractLocation(n.text).building
  return about.find((n) => buildingOf(n) === building) ?? null
}

/** Whether the community has any unexpired notice (else no question can be answered from one): one SELECT. */
export async function hasOpenNotices(em: EntityManager, clock: Clock, communityId: number): Promise<boolean> {
  const rows: unknown[] = await em.query('SELECT 1 AS x FROM room_notices WHERE community_id = ? AND expires_at > ? LIMIT 1', [communityId, sqlDate(em, clock.now())])
  return rows.length > 0
}
