import type { EntityManager } from 'typeorm'
import { In, IsNull, MoreThanOrEqual } from 'typeorm'
import { cachedCommunity, configCache, StaleConfigError, type CachedCommunity } from '../community/cache.js'
import { publicUrlOf } from '../config.js'
import { DEFAULT_MERGE_RULE, type MergeRule } from '../community/settings.js'
import { ChatRoom, Resident, ServiceRequest } from '../db/entities/index.js'
import { inTransaction } from '../db/transaction.js'
import { NotFoundError, ValidationError } from '../errors.js'
import { addCoReporter } from '../requests/admin.js'
import { createRequest, type Acknowledgement } from '../requests/create.js'
import { OPEN_STATUSES } from '../requests/stateMachine.js'
import { linkRequestToTopics } from '../proactive/topics.js'
import { separateInstructions } from './instructions.js'
import { dialectOf } from '../db/dataSource.js'
import type { Classification } from './classifier/types.js'
import type { IntakeDeps, IntakeMessage, IntakeResult } from './pipeline.js'
import { buildingFromRoom } from './location.js'
import { knownPlaceOf } from '../people/knownPlace.js'
import { isFollowUpReply, problemSimilarity } from './similarity.js'
import { normalizeBuilding } from './location.js'

/** What the classifier reads of a long report: its beginning and its end (an urgent line may come last). */
export const CLASSIFY_HEAD_CHARS = 1500
export const CLASSIFY_TAIL_CHARS = 500
/** A report is kept whole up to this length (the text columns hold it); a longer one is refused with a reason. */
export const MAX_TEXT_LENGTH = 20_000

/** The part of a report the classifier reads: all of it, or its head and tail when it is long. */
export function textForClassification(text: string): string {
  if (text.length <= CLASSIFY_HEAD_CHARS + CLASSIFY_TAIL_CHARS) return text
  return `${text.slice(0, CLASSIFY_HEAD_CHARS)}\n…\n${text.slice(-CLASSIFY_TAIL_CHARS)}`
}

const chatter = (reasons: string[], method: Classification['method'] = 'offline'): Classification => ({
  isRequest: false, category: null, urgency: null, location: { building: null, unit: null, room: null }, confidence: 0.9, method, reasons,
})

/**
 * The one intake pipeline, shared by the bot and the API:
 * normalise → request or chatter? → category and urgency → building/unit/room →
 * does it repeat an open request? → create or attach → route.
 */
export async function runIntake(deps: IntakeDeps, msg: IntakeMessage): Promise<IntakeResult> {
  const text = (msg.text ?? '').trim()
  if (!text) throw new ValidationError('内容不能为空，请描述一下遇到的问题')
  if (text.length > MAX_TEXT_LENGTH) throw new ValidationError(`内容太长了（${text.length} 字），请控制在 ${MAX_TEXT_LENGTH} 字以内，或分几条发送`, { field: 'text', max: MAX_TEXT_LENGTH })
  const room = msg.chatRoom !== undefined && msg.chatRoom?.id === msg.chatRoomId ? msg.chatRoom
    : msg.chatRoomId ? await deps.db.getRepository(ChatRoom).findOne({ where: { id: msg.chatRoomId } }) : null

  // "+1" / "我家也是" / "同上" right after a report in the same room: a co-report of it.
  if (room && isFollowUpReply(text)) {
    const attached = await attachFollowUp(deps, msg, room, text)
    return attached ?? { kind: 'chatter', classification: chatter(['follow_up_without_recent_request']) }
  }
  // Instructions aimed at the bot are never executed; a problem described beside one is classified on its own.
  const { instruction, problem } = separateInstructions(text)
  if (!problem) return { kind: 'chatter', classification: chatter(['prompt_injection_guard']) }

  const read = await deps.classifier.classify({ text: textForClassification(problem), room: room?.topic ?? (msg.source === 'miniprogram' ? 'miniprogram' : msg.source === 'private' ? 'private' : null) })
  const classification = instruction ? { ...read, reasons: [...read.reasons, 'instruction_ignored'] } : read
  if (instruction && !classification.isRequest) return { kind: 'chatter', classification: { ...classification, reasons: [...classification.reasons, 'prompt_injection_guard'] } }
  const hintedCategory = msg.hints?.category ?? null
  if (!classification.isRequest && !hintedCategory) return { kind: 'chatter', classification }

  const category = classification.category ?? hintedCategory!
  const urgency = classification.urgency ?? 'normal'
  const needsTriage = !classification.isRequest || classification.confidence < deps.config.TRIAGE_CONFIDENCE
    || (hintedCategory !== null && hintedCategory !== category)

  return inIntakeTransaction(deps, async (em) => {
    // One intake at a time per community from here to commit: two reports of one problem arriving together
    // see each other, so the second joins the first instead of making a duplicate (MySQL; SQLite has one writer).
    const lock = await lockCommunity(em, msg.communityId)
    const resident = await residentOf(em, msg)
    // A form field beats what the text implies; the sender's known home (profile, care roster, earlier requests)
    // is the fallback for their own report from the mini-program or a private chat.
    const fromProfile = (msg.source === 'miniprogram' || msg.source === 'private') && !msg.reporterStaffId
    const named = formBuilding(msg.hints?.building) ?? classification.location.building
    const home = !fromProfile ? null
      : !named ? await knownPlaceOf(em, { communityId: msg.communityId, resident, encryptionKey: deps.config.DATA_ENCRYPTION_KEY })
      : named === resident.building ? { building: named, unit: resident.unit, room: resident.room } : null
    const building = named ?? home?.building ?? null
    const unit = msg.hints?.unit ?? classification.location.unit ?? home?.unit ?? null
    const roomNo = msg.hints?.room ?? classification.location.room ?? home?.room ?? null

    const community = lock.community
    const rule: MergeRule = { ...DEFAULT_MERGE_RULE, ...(community.community.settings.merge ?? {}) }
    const duplicate = rule.enabled ? await findDuplicate(em, deps, rule, {
      communityId: msg.communityId, category, building, chatRoomId: room?.id ?? null, roomBuilding: buildingFromRoom(room?.topic), text,
    }) : null
    if (duplicate) {
      await confirmLock(em, lock)
      const request = await addCoReporter(em, deps.clock, {
        requestId: duplicate.id, request: duplicate, residentId: resident.id, resident, source: msg.source, text, channel: channelOf(msg), causeKey: msg.causeKey,
        roomTopic: msg.acknowledge === 'room' ? room?.topic ?? null : null,
      })
      const result: IntakeResult = { kind: 'attached', request, classification }
      await msg.within?.(em, result)
      return result
    }
    const request = await createRequest(em, deps.clock, {
      communityId: msg.communityId, source: msg.source, text, category, urgency, building, unit, roomNo,
      reporterResidentId: resident.id, reporterStaffId: msg.reporterStaffId ?? null, chatRoomId: room?.id ?? null,
      classifierMethod: classification.method, classifierVersion: classification.version ?? null, confidence: classification.confidence, needsTriage,
      causeKey: msg.causeKey, acknowledgement: acknowledgementFor(msg, resident, room), reasons: classification.reasons,
      publicUrl: publicUrlOf(deps.config),
      community, communityConfirmed: lock.confirmed, reporter: resident, lockedRequestSeq: lock.requestSeq,
    })
    await linkRequestToTopics(em, deps.clock, request, community.openTopics) // 治理项目 collect new reports of their problem
    const result: IntakeResult = { kind: 'created', request, classification }
    await msg.within?.(em, result)
    return result
  })
}

interface CommunityLock {
  community: CachedCommunity
  /** MySQL: request_seq, read under the row lock */
  requestSeq?: number
  /** false: the snapshot is the cached one, its version to be confirmed before commit (SQLite) */
  confirmed: boolean
}

/**
 * MySQL: the row lock on the community (the first statement of the transaction, so later reads see the previous
 * holder's commit), reading with it the configuration version (for the cached snapshot) and the request counter
 * the lock now guards. SQLite has one writer and needs no lock: the cached snapshot is used as it is, and its
 * version is confirmed by the request counter's UPDATE (or, when the message joins a request, by a SELECT).
 */
async function lockCommunity(em: EntityManager, communityId: number): Promise<CommunityLock> {
  if (dialectOf(em.connection) !== 'mysql') {
    const cached = configCache(em.connection).peek(communityId)
    return cached ? { community: cached, confirmed: false } : { community: await cachedCommunity(em, communityId), confirmed: true }
  }
  const rows: { v: number; seq: number }[] = await em.query('SELECT config_version AS v, request_seq AS seq FROM communities WHERE id = ? FOR UPDATE', [communityId])
  if (!rows[0]) throw new NotFoundError('社区', 'community_not_found')
  return { community: await cachedCommunity(em, communityId, Number(rows[0].v)), requestSeq: Number(rows[0].seq), confirmed: true }
}

/** Confirms an unconfirmed snapshot with one SELECT (StaleConfigError when it changed). */
async function confirmLock(em: EntityManager, lock: CommunityLock): Promise<void> {
  if (lock.confirmed) return
  const rows: { v: number }[] = await em.query('SELECT config_version AS v FROM communities WHERE id = ?', [lock.community.community.id])
  if (!rows[0]) throw new NotFoundError('社区', 'community_not_found')
  configCache(em.connection).confirm(em, lock.community, Number(rows[0].v))
  lock.confirmed = true
}

/** Runs intake's transaction, once more with a fresh snapshot when the cached one turned out stale. */
async function inIntakeTransaction<T>(deps: IntakeDeps, fn: (em: EntityManager) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(deps.db, fn)
  } catch (err) {
    if (!(err instanceof StaleConfigError)) throw err
    return inTransaction(deps.db, fn) // the stale entry is gone: this run reads the version first
  }
}

/** The sender's resident, looked up (or created) in intake's transaction when the caller left that to intake. */
async function residentOf(em: EntityManager, msg: IntakeMessage): Promise<Resident> {
  const found = typeof msg.residentId === 'number' ? msg.residentId : await msg.residentId(em)
  return typeof found === 'number' ? em.findOneOrFail(Resident, { where: { id: found } }) : found
}

const channelOf = (msg: IntakeMessage) => (msg.source === 'staff' ? 'private' : msg.source)

/** A form's building: read like a message's; a code the reader does not know ("南区2") is kept as typed. */
const formBuilding = (b: string | null | undefined) => normalizeBuilding(b) ?? (b?.trim().toUpperCase() || null)

function acknowledgementFor(msg: IntakeMessage, resident: Resident, room: ChatRoom | null): Acknowledgement {
  if (!resident.wechatName) return null
  if (msg.acknowledge === 'room' && room) return { channel: 'wechat_room', roomTopic: room.topic, mention: resident.wechatName }
  if (msg.acknowledge === 'dm') return { channel: 'wechat_dm', wechatName: resident.wechatName }
  return null
}

/**
 * The merge rule: same community, same category, within the window, about the same building
 * (or from the same room when no building is named), and similar in text. The most recent match wins.
 */
async function findDuplicate(em: EntityManager, deps: IntakeDeps, rule: MergeRule, p: {
  communityId: number; category: string; building: string | null; chatRoomId: number | null; roomBuilding: string | null; text: string
}): Promise<ServiceRequest | null> {
  if (!p.building && !p.chatRoomId) return null
  const since = new Date(deps.clock.now().getTime() - rule.windowHours * 3600_000)
  const common = { communityId: p.communityId, category: p.category as ServiceRequest['category'], status: In([...OPEN_STATUSES]), createdAt: MoreThanOrEqual(since) }
  // No building named: the same room's requests that named none either, and — in a building's own group
  // (幸福里3号楼业主群) — requests about that building ("我们也没水" after "3号楼停水了").
  const where = p.building
    ? [{ ...common, building: p.building }]
    : [{ ...common, building: IsNull(), chatRoomId: p.chatRoomId! }, ...(p.roomBuilding ? [{ ...common, building: p.roomBuilding }] : [])]
  const candidates = await em.find(ServiceRequest, {
    where,
    order: { createdAt: 'DESC' },
    take: 20,
  })
  return candidates.find((c) => problemSimilarity(c.originalText, p.text) >= rule.minSimilarity) ?? null
}

const reporterOf = async (em: EntityManager, msg: IntakeMessage) => {
  const resident = await residentOf(em, msg)
  return { residentId: resident.id, resident }
}

async function attachFollowUp(deps: IntakeDeps, msg: IntakeMessage, room: ChatRoom, text: string): Promise<IntakeResult | null> {
  return inIntakeTransaction(deps, async (em) => {
    const lock = await lockCommunity(em, msg.communityId)
    await confirmLock(em, lock)
    const community = lock.community
    const rule: MergeRule = { ...DEFAULT_MERGE_RULE, ...(community.community.settings.merge ?? {}) }
    const since = new Date(deps.clock.now().getTime() - rule.followUpMinutes * 60_000)
    const latest = await em.findOne(ServiceRequest, {
      where: { communityId: msg.communityId, chatRoomId: room.id, status: In([...OPEN_STATUSES]), createdAt: MoreThanOrEqual(since) },
      order: { createdAt: 'DESC' },
    })
    if (!latest) return null
    const request = await addCoReporter(em, deps.clock, {
      requestId: latest.id, request: latest, ...await reporterOf(em, msg), source: msg.source, text, channel: channelOf(msg), causeKey: msg.causeKey,
      roomTopic: msg.acknowledge === 'room' ? room.topic : null,
    })
    const classification: Classification = {
      isRequest: true, category: latest.category, urgency: latest.urgency,
      location: { building: latest.building, unit: null, room: null }, confidence: 0.8, method: 'offline', reasons: ['follow_up_reply'],
    }
    const result: IntakeResult = { kind: 'attached', request, classification }
    await msg.within?.(em, result)
    return result
  })
}
