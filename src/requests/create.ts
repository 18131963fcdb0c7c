import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { cachedCommunity, configCache, type CachedCommunity } from '../community/cache.js'
import { route, type Route } from '../community/routing.js'
import { consoleLinks } from '../console/login.js'
import { deadlines, expectationText } from '../community/sla.js'
import { staffById, type CommunitySnapshot } from '../community/snapshot.js'
import type { Category, Urgency } from '../community/taxonomy.js'
import { dialectOf } from '../db/dataSource.js'
import { RequestReporter, Resident, ServiceRequest, type Channel, type RequestSource } from '../db/entities/index.js'
import { insertRows } from '../db/insertRows.js'
import { executeOnItsOwn } from '../db/ownCommit.js'
import { NotFoundError } from '../errors.js'
import { enqueue, PRIORITY, type OutboxDraft } from '../outbox/outbox.js'
import { recordEvents, SYSTEM, type Actor, type EventProps } from './events.js'
import { transition } from './lifecycle.js'
import { acknowledgementText, displayName, newTaskText, staffReportAckText } from './messages.js'
import { staffDrafts } from './notify.js'
import { safetyAdvice } from './safetyAdvice.js'
import { TRANSITIONS } from './stateMachine.js'

/** Where the reporter hears back that the request was received. */
export type Acknowledgement =
  | { channel: 'wechat_room'; roomTopic: string; mention: string }
  | { channel: 'wechat_dm'; wechatName: string }
  | null

export interface CreateRequestProps {
  communityId: number
  source: RequestSource
  text: string
  category: Category
  urgency: Urgency
  building: string | null
  unit?: string | null
  roomNo?: string | null
  reporterResidentId: number | null
  reporterStaffId?: number | null
  chatRoomId?: number | null
  classifierMethod: string
  /** Model version behind the classification (offline model file version or LLM model name). */
  classifierVersion?: string | null
  confidence: number
  needsTriage: boolean
  /** Stable id of what caused this (e.g. the inbox message) so a replay cannot enqueue twice. */
  causeKey: string
  acknowledgement: Acknowledgement
  reasons?: string[]
  /** PUBLIC_URL: urgent alerts to the 书记 then link to the request in the console */
  publicUrl?: string
  /** The community's snapshot, when the caller has it (else read through the configuration cache). */
  community?: CachedCommunity
  /** false: `community` is the cached snapshot, not yet confirmed in this transaction (SQLite intake) */
  communityConfirmed?: boolean
  /** The reporter's row, when the caller has read it. */
  reporter?: Resident | null
  /**
   * MySQL: take the number in a statement of its own, committed at once, instead of under a row lock on the
   * community held to the caller's commit (intake: its reports then run in parallel). A rolled-back caller leaves
   * a gap in the numbers, as AUTO_INCREMENT does; numbers stay unique and increasing.
   */
  numberOnItsOwn?: boolean
}

const channelOf = (s: RequestSource): Channel => (s === 'staff' ? 'private' : s)

/** MySQL's counter (migration 1766000000000): LAST_INSERT_ID hands back the value the statement set. */
const NEXT_NUMBERS_MYSQL = 'INSERT INTO request_numbers (community_id, seq) VALUES (?, LAST_INSERT_ID(?)) ON DUPLICATE KEY UPDATE seq = LAST_INSERT_ID(seq + ?)'

/**
 * Allocates the community's next `n` human-readable numbers (consecutive; the first is returned). SQLite:
 * communities.request_seq, whose UPDATE returns the new value with the configuration version (which confirms a
 * cached snapshot). MySQL: request_numbers, under the row lock of the statement, held to the caller's commit — or,
 * `ownCommit`, in a statement committed at once on a connection of its own (src/db/ownCommit.ts), so that no lock
 * is held while the caller's transaction runs on.
 */
export async function nextNumbers(em: EntityManager, communityId: number, n: number, ownCommit = false): Promise<{ first: number; configVersion?: number }> {
  if (dialectOf(em) === 'sqlite') {
    const rows: { seq: number; v: number }[] = await em.query('UPDATE communities SET request_seq = request_seq + ? WHERE id = ? RETURNING request_seq AS seq, config_version AS v', [n, communityId])
    if (!rows[0]) throw new NotFoundError('社区', 'community_not_found')
    return { first: Number(rows[0].seq) - n + 1, configVersion: Number(rows[0].v) }
  }
  const r = ownCommit
    ? await executeOnItsOwn(em.connection, NEXT_NUMBERS_MYSQL, [communityId, n, n])
    : await em.query(NEXT_NUMBERS_MYSQL, [communityId, n, n]) as { insertId: number }
  return { first: Number(r.insertId) - n + 1 }
}

/**
 * 上报 + 派单: creates the request, records the reporter, routes it and dispatches it with SLA deadlines,
 * and writes the acknowledgement and task notifications to the outbox — all in the caller's transaction.
 * The new row is written already dispatched (no one else can see it before commit, so there is nothing to
 * guard), with both events, 'created' and 'dispatch', in one INSERT and every notification in another.
 */
export async function createRequest(em: EntityManager, clock: Clock, p: CreateRequestProps): Promise<ServiceRequest> {
  const now = clock.now()
  const community = p.community?.community.id === p.communityId ? p.community : await cachedCommunity(em, p.communityId)
  const tz = community.community.timezone
  const r = route(community, { building: p.building, chatRoomId: p.chatRoomId ?? null, category: p.category, urgency: p.urgency })
  const due = deadlines(p.urgency, now, community.community.settings, tz)
  const { first, configVersion } = await nextNumbers(em, p.communityId, 1, p.numberOnItsOwn)
  const no = String(first)
  // A cached snapshot the caller used unconfirmed is confirmed here (StaleConfigError rolls back when it changed).
  if (p.community && p.communityConfirmed === false && configVersion !== undefined) configCache(em.connection).confirm(em, p.community, configVersion)
  const [request] = await insertRows(em, ServiceRequest, [newRequestRow(p, r, due, now, no)])
  const [, event] = await recordEvents(em, clock, newRequestEvents(request!.id, p, r, due))
  if (p.reporterResidentId) {
    await insertRows(em, RequestReporter, [{ requestId: request!.id, residentId: p.reporterResidentId, role: 'reporter', source: p.source, text: p.text, createdAt: now }])
  }
  return notifyNew(em, clock, request!, event!.id, community, r, p)
}

/** What a new request's row and first events are made of (createRequest's props, or the batch filer's report). */
export type NewRequestFields = Pick<CreateRequestProps, 'communityId' | 'source' | 'text' | 'category' | 'urgency' | 'building' | 'unit' | 'roomNo'
  | 'reporterResidentId' | 'reporterStaffId' | 'chatRoomId' | 'classifierMethod' | 'classifierVersion' | 'confidence' | 'needsTriage' | 'reasons'>
type Deadlines = ReturnType<typeof deadlines>

/** The new request's row: written already dispatched along its route, with its deadlines (no one sees it before commit). */
export function newRequestRow(p: NewRequestFields, r: Route, due: Deadlines, now: Date, no: string): Partial<ServiceRequest> {
  return {
    communityId: p.communityId, no, source: p.source, chatRoomId: p.chatRoomId ?? null, originalText: p.text,
    category: p.category, urgency: p.urgency, building: p.building, unit: p.unit ?? null, roomNo: p.roomNo ?? null,
    reporterResidentId: p.reporterResidentId, reporterStaffId: p.reporterStaffId ?? null, reopenCount: 0,
    classifierMethod: p.classifierMethod, classifierVersion: p.classifierVersion ?? null, confidence: p.confidence, needsTriage: p.needsTriage,
    status: TRANSITIONS.dispatch.to, gridId: r.gridId, assigneeStaffId: r.ownerStaffId, dispatchedAt: now, ...due, createdAt: now, updatedAt: now,
  }
}

/** Its first two events, 'created' and 'dispatch', in that order. */
export function newRequestEvents(requestId: number, p: NewRequestFields, r: Route, due: Deadlines): EventProps[] {
  const actor: Actor = p.reporterResidentId ? { type: 'resident', id: p.reporterResidentId } : p.reporterStaffId ? { type: 'staff', id: p.reporterStaffId } : SYSTEM
  return [{
    requestId, type: 'created', actor, channel: channelOf(p.source), toStatus: 'new',
    data: { method: p.classifierMethod, version: p.classifierVersion ?? null, confidence: p.confidence, needsTriage: p.needsTriage, reasons: p.reasons ?? [] },
  }, {
    requestId, type: 'dispatch', actor: SYSTEM, channel: 'system', fromStatus: 'new', toStatus: TRANSITIONS.dispatch.to,
    data: { rule: r.rule, assigneeStaffId: r.ownerStaffId, gridId: r.gridId, ...due },
  }]
}

async function notifyNew(em: EntityManager, clock: Clock, dispatched: ServiceRequest, eventId: number, community: CommunitySnapshot, r: Route, p: CreateRequestProps): Promise<ServiceRequest> {
  // A staff member's own report that routes to them is theirs already: signed for at once, no task DM to themselves.
  const selfAssigned = p.reporterStaffId != null && p.reporterStaffId === r.ownerStaffId
  const current = selfAssigned
    ? (await transition(em, clock, {
      requestId: dispatched.id, action: 'accept', actor: { type: 'staff', id: p.reporterStaffId! }, channel: channelOf(p.source),
      set: { acceptedAt: clock.now() }, data: { selfReport: true },
    })).request
    : dispatched
  const reporter = !p.reporterResidentId ? null
    : p.reporter?.id === p.reporterResidentId ? p.reporter : await em.findOne(Resident, { where: { id: p.reporterResidentId } })
  await enqueue(em, clock, newRequestDrafts({ dispatched, current, eventId, community, route: r, reporter, props: p }))
  return current
}

/**
 * What a new request sends: the reporter's acknowledgement (with safety advice when urgent), the assignee's task and
 * the notices to those told of it, keyed by the cause and the dispatch event. Pure: createRequest and the batch
 * filer (src/intake/reportBatchFiler.ts) write them.
 */
export function newRequestDrafts(n: {
  dispatched: ServiceRequest
  /** as it stands after a self-assignment (else the dispatched row) */
  current: ServiceRequest
  eventId: number
  community: CommunitySnapshot
  route: Route
  reporter: Resident | null
  props: Pick<CreateRequestProps, 'reporterStaffId' | 'causeKey' | 'acknowledgement' | 'source' | 'publicUrl'>
}): OutboxDraft[] {
  const { dispatched, current, community, route: r, reporter, props: p } = n
  const tz = community.community.timezone
  const assignee = staffById(community, r.ownerStaffId)
  const selfAssigned = p.reporterStaffId != null && p.reporterStaffId === r.ownerStaffId
  const key = `${p.causeKey}:evt${n.eventId}`
  const expectation = expectationText(dispatched.urgency, community.community.settings)
  const urgent = dispatched.urgency === 'urgent'
  let ack = p.reporterStaffId != null ? staffReportAckText(current, assignee, selfAssigned, expectation) : acknowledgementText(dispatched, assignee, expectation)
  if (urgent) ack += `\n⚠️ 安全提示：${safetyAdvice(dispatched.originalText, dispatched.category)}`

  const drafts: OutboxDraft[] = []
  const priority = urgent ? PRIORITY.urgent : PRIORITY.normal
  if (p.acknowledgement?.channel === 'wechat_room') {
    drafts.push({ dedupeKey: `${key}:ack`, channel: 'wechat_room', target: p.acknowledgement.roomTopic, mentions: [p.acknowledgement.mention], text: ack, priority, requestId: dispatched.id })
  } else if (p.acknowledgement?.channel === 'wechat_dm') {
    drafts.push({ dedupeKey: `${key}:ack`, channel: 'wechat_dm', target: p.acknowledgement.wechatName, text: ack, priority, requestId: dispatched.id })
  }
  const room = community.rooms.find((x) => x.id === dispatched.chatRoomId)
  const via = room ? room.topic : p.source === 'miniprogram' ? '小程序' : p.source === 'staff' ? '工作人员代报' : '私聊'
  const task = newTaskText(dispatched, tz, displayName(reporter), via, assignee?.role === 'secretary')
  if (!selfAssigned) drafts.push(...staffDrafts(dispatched, [assignee], `${key}:task`, task))
  // Those told but not owning it (the 书记 for urgent ones) get the dispatcher's commands, not the assignee's.
  const notified = r.notifyStaffIds.map((id) => staffById(community, id))
  const fyi = newTaskText(dispatched, tz, displayName(reporter), via, true)
  const link = p.publicUrl ? `\n在工作台查看：${consoleLinks.request(p.publicUrl, dispatched.id)}` : ''
  drafts.push(...staffDrafts(dispatched, notified, `${key}:fyi`, `【紧急工单提醒】已派给${assignee?.name ?? '（无人）'}\n${fyi}${link}`))
  return drafts
}
