import type { EntityManager } from 'typeorm'
import { In, IsNull, MoreThanOrEqual } from 'typeorm'
import { cachedCommunity, configCache, StaleConfigError, type CachedCommunity } from '../community/cache.js'
import { publicUrlOf } from '../config.js'
import { DEFAULT_MERGE_RULE, type MergeRule } from '../community/settings.js'
import { ChatRoom, RequestReporter, Resident, ServiceRequest } from '../db/entities/index.js'
import { inTransaction } from '../db/transaction.js'
import { NotFoundError, ValidationError } from '../errors.js'
import { addCoReporter, coReportedEvent, tellCoReporter } from '../requests/admin.js'
import { createRequest, type Acknowledgement } from '../requests/create.js'
import { OPEN_STATUSES } from '../requests/stateMachine.js'
import { linkRequestToTopics } from '../proactive/topics.js'
import { separateInstructions } from './instructions.js'
import { dialectOf } from '../db/dataSource.js'
import { rawColumns } from '../db/rawRows.js'
import type { Classification } from './classifier/types.js'
import type { Category, Urgency } from '../community/taxonomy.js'
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

  const { category, urgency, needsTriage } = filingOf(classification, hintedCategory, deps.config.TRIAGE_CONFIDENCE)

  const mysql = dialectOf(deps.db) === 'mysql'
  // A form field beats what the text implies; the sender's known home (profile, care roster, earlier requests)
  // is the fallback for their own report from the mini-program or a private chat.
  const fromProfile = (msg.source === 'miniprogram' || msg.source === 'private') && !msg.reporterStaffId
  const named = formBuilding(msg.hints?.building) ?? classification.location.building
  // MySQL: the merge lock must be the transaction's first read-or-lock, so that its reads see the previous holder's
  // commit; the sender (when known by id, or when the building comes from their home) and that home are read
  // first, outside the transaction, so that nothing under the lock waits on them.
  const homeGivesPlace = fromProfile && !named
  const early = mysql && (typeof msg.residentId === 'number' || homeGivesPlace)
  const earlyResident = early ? await residentOf(deps.db.manager, msg) : undefined
  const earlyHome = earlyResident && homeGivesPlace ? await knownPlaceOf(deps.db.manager, { communityId: msg.communityId, resident: earlyResident, encryptionKey: deps.config.DATA_ENCRYPTION_KEY }) : undefined
  const placeKey = named ?? (earlyHome?.building ?? null)

  // The sender repeating their own open report adds no one to it: answered without the merge lock.
  if (earlyResident) {
    const repeat = await repeatOfOwnReport(deps, msg, { category, building: placeKey, room, text, resident: earlyResident, classification })
    if (repeat) return repeat
  }

  return inIntakeTransaction(deps, async (em) => {
    // Two reports that could merge (same category and place) are taken one at a time from here to commit, so the
    // second sees the first and joins it instead of making a duplicate; MySQL locks that key's row, SQLite has one writer.
    const lock = await lockIntake(em, msg.communityId, mysql ? mergeKeyOf(category, placeKey, room) : null)
    const resident = earlyResident ?? await residentOf(em, msg)
    const home = !fromProfile ? null
      : homeGivesPlace ? (earlyResident ? earlyHome ?? null : await knownPlaceOf(em, { communityId: msg.communityId, resident, encryptionKey: deps.config.DATA_ENCRYPTION_KEY }))
      : named === resident.building ? { building: named, unit: resident.unit, room: resident.room } : null
    const building = named ?? home?.building ?? null
    const unit = msg.hints?.unit ?? classification.location.unit ?? home?.unit ?? null
    const roomNo = msg.hints?.room ?? classification.location.room ?? home?.room ?? null

    const community = lock.community
    const rule: MergeRule = { ...DEFAULT_MERGE_RULE, ...(community.community.settings.merge ?? {}) }
    const found = rule.enabled ? await findDuplicate(em, deps, rule, {
      communityId: msg.communityId, category, building, chatRoomId: room?.id ?? null, roomBuilding: buildingFromRoom(room?.topic), text, residentId: resident.id,
    }, lock) : null
    const duplicate = found?.request ?? null
    // MySQL numbers the request outside this transaction (no lock on the community is held to commit), so the
    // snapshot is confirmed here; SQLite confirms it with the request counter's UPDATE.
    if (duplicate || mysql) await confirmLock(em, lock)
    if (duplicate) {
      const request = await addCoReporter(em, deps.clock, {
        requestId: duplicate.id, request: duplicate, residentId: resident.id, resident, source: msg.source, text, channel: channelOf(msg), causeKey: msg.causeKey,
        roomTopic: msg.acknowledge === 'room' ? room?.topic ?? null : null, existing: found!.reporter,
      })
      const result: IntakeResult = { kind: 'attached', request, classification }
      await msg.within?.(em, result)
      return result
    }
    const request = await createRequest(em, deps.clock, {
      communityId: msg.communityId, source: msg.source, text, category, urgency, building, unit, roomNo,
      reporterResidentId: resident.id, reporterStaffId: msg.reporterStaffId ?? null, chatRoomId: room?.id ?? null,
      classifierMethod: classification.method, classifierVersion: classification.version ?? null, confidence: classification.confidence, needsTriage,
      causeKey: msg.causeKey, acknowledgement: acknowledgementFor(msg.acknowledge, resident, room), reasons: classification.reasons,
      publicUrl: publicUrlOf(deps.config),
      community, communityConfirmed: lock.confirmed, reporter: resident, numberOnItsOwn: mysql,
    })
    await linkRequestToTopics(em, deps.clock, request, community.openTopics) // 治理项目 collect new reports of their problem
    const result: IntakeResult = { kind: 'created', request, classification }
    await msg.within?.(em, result)
    return result
  })
}

/** What a request is filed as: the classifier's category (else the form's), its urgency, and whether 分诊 must confirm it. */
export function filingOf(classification: Classification, hintedCategory: Category | null, triageConfidence: number): { category: Category; urgency: Urgency; needsTriage: boolean } {
  const category = classification.category ?? hintedCategory!
  const needsTriage = !classification.isRequest || classification.confidence < triageConfidence || (hintedCategory !== null && hintedCategory !== category)
  return { category, urgency: classification.urgency ?? 'normal', needsTriage }
}

interface CommunityLock {
  community: CachedCommunity
  /** false: the snapshot is the cached one, its version to be confirmed before commit */
  confirmed: boolean
}

/**
 * The merge key of a report: its category and place (the building, else the room's own building, else the room).
 * Null when nothing can merge with it (no place and no room: findDuplicate reads nothing).
 */
export function mergeKeyOf(category: string, building: string | null, room: ChatRoom | null): string | null {
  const place = building ?? buildingFromRoom(room?.topic) ?? (room ? `room:${room.id}` : null)
  return place === null ? null : `${category}|${place}`.slice(0, 160)
}

/**
 * MySQL: the row lock on the report's merge key (intake_locks, the first statement of the transaction, so later
 * reads see the previous holder's commit), held to commit: reports that could merge are taken one at a time,
 * every other report of the community runs alongside (a lock on the community's row serialised them all). The
 * cached snapshot is used unconfirmed and confirmed before commit (confirmLock, or by findDuplicate's read).
 * SQLite has one writer and needs no lock; its snapshot is confirmed by the request counter's UPDATE (or, when
 * the message joins a request, by a SELECT).
 */
async function lockIntake(em: EntityManager, communityId: number, mergeKey: string | null): Promise<CommunityLock> {
  if (mergeKey !== null) {
    await em.query('INSERT INTO intake_locks (community_id, merge_key, hits) VALUES (?, ?, 1) ON DUPLICATE KEY UPDATE hits = hits + 1', [communityId, mergeKey])
  }
  const cached = configCache(em.connection).peek(communityId)
  return cached ? { community: cached, confirmed: false } : { community: await cachedCommunity(em, communityId), confirmed: true }
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
  if (msg.resident && msg.resident.id === msg.residentId) return msg.resident
  const found = typeof msg.residentId === 'number' ? msg.residentId : await msg.residentId(em)
  return typeof found === 'number' ? em.findOneOrFail(Resident, { where: { id: found } }) : found
}

const channelOf = (msg: IntakeMessage) => (msg.source === 'staff' ? 'private' : msg.source)

/** A form's building: read like a message's; a code the reader does not know ("南区2") is kept as typed. */
const formBuilding = (b: string | null | undefined) => normalizeBuilding(b) ?? (b?.trim().toUpperCase() || null)

export function acknowledgementFor(acknowledge: IntakeMessage['acknowledge'], resident: Resident, room: ChatRoom | null): Acknowledgement {
  if (!resident.wechatName) return null
  if (acknowledge === 'room' && room) return { channel: 'wechat_room', roomTopic: room.topic, mention: resident.wechatName }
  if (acknowledge === 'dm') return { channel: 'wechat_dm', wechatName: resident.wechatName }
  return null
}

/**
 * The merge rule: same community, same category, within the window, about the same building
 * (or from the same room when no building is named), and similar in text. The most recent match wins.
 */
async function findDuplicate(em: EntityManager, deps: IntakeDeps, rule: MergeRule, p: DuplicateQuery, lock: CommunityLock): Promise<Duplicate | null> {
  if (!p.building && !p.chatRoomId) return null
  const since = new Date(deps.clock.now().getTime() - rule.windowHours * 3600_000)
  if (dialectOf(em) === 'mysql') return findDuplicateMysql(em, rule, p, since, lock)
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
  const request = candidates.find((c) => problemSimilarity(c.originalText, p.text) >= rule.minSimilarity)
  return request ? { request } : null
}

/**
 * The same candidates in one raw statement that also reads the community's configuration version (a row even when
 * no request matches), confirming the snapshot intake used: no TypeORM query building or hydration on the hot path.
 */
async function findDuplicateMysql(em: EntityManager, rule: MergeRule, p: DuplicateQuery, since: Date, lock: CommunityLock): Promise<Duplicate | null> {
  const cols = rawColumns(em, ServiceRequest)
  const statuses = OPEN_STATUSES.map(() => '?').join(', ')
  const place = p.building ? 'r.building = ?' : `((r.building IS NULL AND r.chat_room_id = ?)${p.roomBuilding ? ' OR r.building = ?' : ''})`
  const placeParams = p.building ? [p.building] : [p.chatRoomId, ...(p.roomBuilding ? [p.roomBuilding] : [])]
  const rows: Record<string, unknown>[] = await em.query(
    `SELECT c.config_version AS v, r.id AS rid, rr.role AS rr_role, ${cols.select('r', 'r_')} FROM communities c `
    + `LEFT JOIN requests r ON r.community_id = c.id AND r.category = ? AND r.status IN (${statuses}) AND r.created_at >= ? AND ${place} `
    + 'LEFT JOIN request_reporters rr ON rr.request_id = r.id AND rr.resident_id = ? '
    + 'WHERE c.id = ? ORDER BY r.created_at DESC LIMIT 20',
    [p.category, ...OPEN_STATUSES, since, ...placeParams, p.residentId, p.communityId],
  )
  if (!rows[0]) throw new NotFoundError('社区', 'community_not_found')
  if (!lock.confirmed) {
    configCache(em.connection).confirm(em, lock.community, Number(rows[0].v))
    lock.confirmed = true
  }
  for (const row of rows) {
    // only the match is hydrated: up to 20 wide rows are read for one report
    if (row.rid == null || problemSimilarity(String(row.r_originalText), p.text) < rule.minSimilarity) continue
    return { request: cols.hydrate(row, 'r_'), reporter: row.rr_role == null ? null : { role: row.rr_role as RequestReporter['role'] } }
  }
  return null
}

/**
 * MySQL: the sender re-posting what they already reported — the open request this text would merge into (the one
 * findDuplicate picks) has them as a reporter — adds no reporter row, so it needs no merge lock. A lock-free read
 * finds that request; a transaction then records the repeat as an attach does — the co_reported event, the
 * resident's message, the caller's within (the inbox row) — the event's INSERT writing only while the request and
 * the sender's reporter row are still as read, under a shared lock on both (coReportedEvent's asRead: a closing,
 * re-categorising or reassigning UPDATE waits for this commit, and one that committed first makes it write
 * nothing). Null when it is no such repeat or it changed meanwhile: the caller runs the locked path.
 */
async function repeatOfOwnReport(deps: IntakeDeps, msg: IntakeMessage, p: {
  category: string; building: string | null; room: ChatRoom | null; text: string; resident: Resident; classification: Classification
}): Promise<IntakeResult | null> {
  if (dialectOf(deps.db) !== 'mysql') return null // SQLite's one writer: the locked path is the same work
  const snapshot = configCache(deps.db).peek(msg.communityId)
  if (!snapshot) return null
  const rule: MergeRule = { ...DEFAULT_MERGE_RULE, ...(snapshot.community.settings.merge ?? {}) }
  if (!rule.enabled) return null
  let read: Duplicate | null
  try {
    read = await findDuplicate(deps.db.manager, deps, rule, {
      communityId: msg.communityId, category: p.category, building: p.building, chatRoomId: p.room?.id ?? null,
      roomBuilding: buildingFromRoom(p.room?.topic), text: p.text, residentId: p.resident.id,
    }, { community: snapshot, confirmed: false })
  } catch (err) {
    if (err instanceof StaleConfigError) return null // the locked path reads the configuration afresh
    throw err
  }
  if (!read?.reporter) return null
  const seen = read.request, existing = read.reporter
  return inTransaction(deps.db, async (em) => {
    const event = await coReportedEvent(em, deps.clock, {
      requestId: seen.id, residentId: p.resident.id, source: msg.source, text: p.text, channel: channelOf(msg), existing, asRead: seen,
    })
    if (!event) return null // closed, moved or reassigned since the read
    await tellCoReporter(em, deps.clock, {
      request: seen, resident: p.resident, existing, event, causeKey: msg.causeKey, roomTopic: msg.acknowledge === 'room' ? p.room?.topic ?? null : null,
    })
    const result: IntakeResult = { kind: 'attached', request: seen, classification: p.classification }
    await msg.within?.(em, result)
    return result
  })
}

interface DuplicateQuery {
  communityId: number; category: string; building: string | null; chatRoomId: number | null; roomBuilding: string | null; text: string
  /** the sender: MySQL reads their reporter row on the match with it */
  residentId: number
}

/** The open request a report merges into, and (MySQL) the sender's reporter row on it as read (undefined: not read). */
interface Duplicate { request: ServiceRequest; reporter?: Pick<RequestReporter, 'role'> | null }

const reporterOf = async (em: EntityManager, msg: IntakeMessage) => {
  const resident = await residentOf(em, msg)
  return { residentId: resident.id, resident }
}

async function attachFollowUp(deps: IntakeDeps, msg: IntakeMessage, room: ChatRoom, text: string): Promise<IntakeResult | null> {
  return inIntakeTransaction(deps, async (em) => {
    const lock = await lockIntake(em, msg.communityId, dialectOf(em) === 'mysql' ? `follow_up|room:${room.id}` : null)
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
