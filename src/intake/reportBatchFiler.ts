import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { configCache, type CachedCommunity } from '../community/cache.js'
import { route, type Route } from '../community/routing.js'
import { DEFAULT_MERGE_RULE, type MergeRule } from '../community/settings.js'
import { deadlines } from '../community/sla.js'
import type { Category, Urgency } from '../community/taxonomy.js'
import { publicUrlOf, type Config } from '../config.js'
import { dialectOf } from '../db/dataSource.js'
import { RequestReporter, ServiceRequest, type ChatRoom, type Resident } from '../db/entities/index.js'
import { insertRows } from '../db/insertRows.js'
import { rawColumns, sqlDate } from '../db/rawRows.js'
import { paddedList, placeholders } from '../db/statementShapes.js'
import { NotFoundError } from '../errors.js'
import { enqueue, type OutboxDraft } from '../outbox/outbox.js'
import { findOrCreateWechatResidents } from '../people/residents.js'
import { linkRequestToTopics } from '../proactive/topics.js'
import { coReportedEventProps, coReporterDraft } from '../requests/admin.js'
import { newRequestDrafts, newRequestEvents, newRequestRow, nextNumbers, type NewRequestFields } from '../requests/create.js'
import { recordEvents, type EventProps } from '../requests/events.js'
import { OPEN_STATUSES } from '../requests/stateMachine.js'
import type { Classification } from './classifier/types.js'
import { buildingFromRoom } from './location.js'
import { acknowledgementFor, filingOf, mergeKeyOf } from './run.js'
import { problemSimilarity } from './similarity.js'

/**
 * Set-oriented intake (issue 12): many group reports of one community filed in one transaction with a fixed number
 * of statements — the merge locks in one upsert, the open candidates in one SELECT, then one INSERT each for the
 * requests, their events, their reporters and the outbox — instead of ten statements and a commit per report.
 * Each report is decided as runIntake decides it, in order: it joins the most recent open request of its category
 * and place (one filed earlier in the same batch included) whose text is similar enough, else it becomes a new
 * dispatched request. What is written, and every text sent, is what runIntake writes for the same reports one
 * after another (test/intake/reportBatchFiler.test.ts compares the two).
 *
 * Only plain group reports come here (bot/groupBatch.ts decides which): a resident's text, in a bound room,
 * classified as a request, no form hints, no staff reporter.
 */
export interface BatchReport {
  /** the kept inbox row whose work this is: keys every notification (`inbox:<id>`) */
  inboxId: number
  room: ChatRoom
  senderName: string
  senderId: string | null
  /** the sender's resident row as read before the transaction (null: made here) */
  resident: Resident | null
  /** as intake reads it: mentions stripped, trimmed */
  text: string
  /** a request's (isRequest) */
  classification: Classification
}

export type BatchFiled = { kind: 'created'; request: ServiceRequest } | { kind: 'attached'; request: Candidate }

/** What the merge rule and the co-reporter's message read of an open request. */
export type Candidate = Pick<ServiceRequest, 'id' | 'no' | 'communityId' | 'category' | 'status' | 'building' | 'chatRoomId' | 'createdAt' | 'originalText'>
const CANDIDATE_COLUMNS = ['id', 'no', 'communityId', 'category', 'status', 'building', 'chatRoomId', 'createdAt', 'originalText'] as const

export interface BatchFilerDeps {
  clock: Clock
  config: Pick<Config, 'TRIAGE_CONFIDENCE' | 'PUBLIC_URL' | 'PORT'>
  /** Extra writes after a report is filed, in the same transaction; drafts returned are sent after its own (bot: a question about a missing place). */
  after?: (em: EntityManager, report: BatchReport, filed: BatchFiled) => Promise<OutboxDraft[]>
}

interface Planned {
  report: BatchReport
  resident: Resident
  category: Category
  urgency: Urgency
  needsTriage: boolean
  building: string | null
  unit: string | null
  roomNo: string | null
  /** a request filed earlier in this batch, or an open one read */
  joins: Candidate | null
  /** the sender's reporter row on the joined request, as it stood before this report */
  existing: Pick<RequestReporter, 'role'> | null
  /** a new request, its route and its deadlines */
  created?: { request: ServiceRequest; route: Route; due: ReturnType<typeof deadlines> }
}

/** Files the reports (all of one community) in the caller's transaction, which this opens with the merge locks. */
export async function fileReportBatch(em: EntityManager, deps: BatchFilerDeps, communityId: number, reports: BatchReport[]): Promise<BatchFiled[]> {
  if (!reports.length) return []
  const mysql = dialectOf(em) === 'mysql'
  const now = deps.clock.now()
  const terms = reports.map((r) => ({ ...filingOf(r.classification, null, deps.config.TRIAGE_CONFIDENCE), building: r.classification.location.building }))
  // MySQL: the merge keys' row locks first (one statement, in a fixed order so that two batches cannot deadlock),
  // so that the reads below see the previous holder's commit; SQLite has one writer.
  if (mysql) {
    const keys = [...new Set(terms.flatMap((t, i) => mergeKeyOf(t.category, t.building, reports[i]!.room) ?? []))].sort()
    if (keys.length) {
      await em.query(`INSERT INTO intake_locks (community_id, merge_key, hits) VALUES ${keys.map(() => '(?, ?, 1)').join(', ')} ON DUPLICATE KEY UPDATE hits = hits + 1`, keys.flatMap((k) => [communityId, k]))
    }
  }
  const community = await confirmedSnapshot(em, communityId)
  const rule: MergeRule = { ...DEFAULT_MERGE_RULE, ...(community.community.settings.merge ?? {}) }

  const residents = await findOrCreateWechatResidents(em, communityId, reports.map((r) => ({ wechatName: r.senderName, contactId: r.senderId, known: r.resident })))
  const since = new Date(now.getTime() - rule.windowHours * 3600_000)
  const open = rule.enabled ? await openCandidates(em, communityId, since, reports, terms) : []
  const roles = await reporterRoles(em, open, [...residents.values()].map((r) => r.id))

  // Decided in order, as one report after another would be: a new request is a candidate for the reports after it.
  const places = new PlaceIndex(open)
  const filedHere: ServiceRequest[] = []
  const plans: Planned[] = reports.map((report, i) => {
    const t = terms[i]!
    const resident = residents.get(report.senderName)!
    const base = { report, resident, category: t.category, urgency: t.urgency, needsTriage: t.needsTriage, building: t.building, unit: report.classification.location.unit ?? null, roomNo: report.classification.location.room ?? null }
    const joins = rule.enabled ? duplicateOf(places, rule, since, {
      category: t.category, building: t.building, chatRoomId: report.room.id, roomBuilding: buildingFromRoom(report.room.topic), text: report.text,
    }) : null
    if (joins) {
      const on = roles.get(joins) ?? new Map<number, RequestReporter['role']>()
      roles.set(joins, on)
      const existing = on.get(resident.id) ?? null
      if (!existing) on.set(resident.id, 'co_reporter')
      return { ...base, joins, existing: existing ? { role: existing } : null }
    }
    const routed = route(community, { building: t.building, chatRoomId: report.room.id, category: t.category, urgency: t.urgency })
    const created = newRequestOf({ ...base, joins: null, existing: null }, routed, community, now)
    const request = created.request
    filedHere.push(request)
    places.addNewest(request)
    roles.set(request, new Map([[resident.id, 'reporter']]))
    return { ...base, joins: null, existing: null, created }
  })
  await writeNewRequests(em, communityId, filedHere)
  return writeTheRest(em, deps, community, plans)
}

/** The cached snapshot, confirmed by this transaction's read of the version (StaleConfigError: run again). */
async function confirmedSnapshot(em: EntityManager, communityId: number): Promise<CachedCommunity> {
  const rows: { v: number }[] = await em.query('SELECT config_version AS v FROM communities WHERE id = ?', [communityId])
  if (!rows[0]) throw new NotFoundError('社区', 'community_not_found')
  const cache = configCache(em.connection)
  const cached = cache.peek(communityId)
  if (cached) cache.confirm(em, cached, Number(rows[0].v))
  return cached ?? cache.snapshot(em, communityId, Number(rows[0].v))
}

/** Every open request in the window that any report could join (its category, and its building or room), newest first. */
async function openCandidates(em: EntityManager, communityId: number, since: Date, reports: BatchReport[], terms: { category: string; building: string | null }[]): Promise<Candidate[]> {
  const categories = paddedList([...new Set(terms.map((t) => t.category))])
  const buildings = new Set<string>(), rooms = new Set<number>()
  terms.forEach((t, i) => {
    const room = reports[i]!.room
    if (t.building) { buildings.add(t.building); return }
    rooms.add(room.id)
    const own = buildingFromRoom(room.topic)
    if (own) buildings.add(own)
  })
  const cols = rawColumns(em, ServiceRequest, CANDIDATE_COLUMNS)
  const list = placeholders
  const inBuildings = paddedList([...buildings]), inRooms = paddedList([...rooms])
  const place = [inBuildings.length ? `r.building IN (${list(inBuildings.length)})` : null, inRooms.length ? `(r.building IS NULL AND r.chat_room_id IN (${list(inRooms.length)}))` : null].filter(Boolean).join(' OR ')
  // A report reads at most the 20 newest of its category and place (duplicateOf): the newest 20 of each such
  // partition are all it can need, however many are open.
  const rows: Record<string, unknown>[] = await em.query(
    `SELECT * FROM (SELECT ${cols.select('r', 'r_')}, ROW_NUMBER() OVER (PARTITION BY r.category, r.building, CASE WHEN r.building IS NULL THEN r.chat_room_id END `
    + `ORDER BY r.created_at DESC, r.id DESC) AS place_rank FROM ${cols.table} r WHERE r.community_id = ? AND r.category IN (${list(categories.length)}) `
    + `AND r.status IN (${list(OPEN_STATUSES.length)}) AND r.created_at >= ? AND (${place})) ranked WHERE place_rank <= ${MERGE_CANDIDATES}`,
    [communityId, ...categories, ...OPEN_STATUSES, sqlDate(em, since), ...inBuildings, ...inRooms],
  )
  return rows.map((row) => cols.hydrate(row, 'r_')).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
}

/** How many of the newest open requests of its category and place a report is compared with (runIntake's LIMIT). */
const MERGE_CANDIDATES = 20

/** The reporter rows of these residents on these requests: each request's residents and their roles. */
async function reporterRoles(em: EntityManager, requests: Candidate[], residentIds: number[]): Promise<Map<Candidate, Map<number, RequestReporter['role']>>> {
  const roles = new Map<Candidate, Map<number, RequestReporter['role']>>()
  if (!requests.length || !residentIds.length) return roles
  const byId = new Map(requests.map((r) => [r.id, r]))
  const ids = paddedList([...byId.keys()]), residents = paddedList(residentIds)
  const rows: { q: number; p: number; role: RequestReporter['role'] }[] = await em.query(
    `SELECT request_id AS q, resident_id AS p, role FROM request_reporters WHERE request_id IN (${placeholders(ids.length)}) AND resident_id IN (${placeholders(residents.length)})`,
    [...ids, ...residents],
  )
  for (const r of rows) {
    const request = byId.get(Number(r.q))!
    const on = roles.get(request) ?? new Map<number, RequestReporter['role']>()
    on.set(Number(r.p), r.role)
    roles.set(request, on)
  }
  return roles
}

/** Open requests by category and place, each list newest first: a report looks only at its own. */
class PlaceIndex {
  private readonly lists = new Map<string, Candidate[]>()
  constructor(newestFirst: Candidate[]) { for (const c of newestFirst) this.list(c).push(c) }
  private static key = (category: string, building: string | null, chatRoomId: number | null) => (building !== null ? `${category}|b:${building}` : `${category}|r:${chatRoomId}`)
  private list(c: Candidate): Candidate[] {
    const key = PlaceIndex.key(c.category, c.building, c.chatRoomId)
    let l = this.lists.get(key)
    if (!l) this.lists.set(key, (l = []))
    return l
  }
  /** A request filed in this batch: newer than every other. */
  addNewest(c: Candidate): void { this.list(c).unshift(c) }
  of(category: string, building: string | null, chatRoomId: number | null): Candidate[] { return this.lists.get(PlaceIndex.key(category, building, chatRoomId)) ?? [] }
}

/**
 * runIntake's merge rule over the candidates newest first: same category, open, within the window, the same
 * building — or, naming none, the same room's requests that named none and (in a building's own group) that
 * building's — the first 20 of those, and of them the first similar enough.
 */
function duplicateOf(places: PlaceIndex, rule: MergeRule, since: Date, p: { category: string; building: string | null; chatRoomId: number; roomBuilding: string | null; text: string }): Candidate | null {
  const lists = p.building ? [places.of(p.category, p.building, null)]
    : [places.of(p.category, null, p.chatRoomId), ...(p.roomBuilding ? [places.of(p.category, p.roomBuilding, null)] : [])]
  const merged = lists.length === 1 ? lists[0]! : lists.flat().sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
  const eligible = merged.filter((c) => (OPEN_STATUSES as readonly string[]).includes(c.status) && c.createdAt >= since).slice(0, MERGE_CANDIDATES)
  return eligible.find((c) => problemSimilarity(c.originalText, p.text) >= rule.minSimilarity) ?? null
}

/** A new request as createRequest writes it (its row, from the same builder); numbered and given its id when written. */
function newRequestOf(p: Planned, r: Route, community: CachedCommunity, now: Date): { request: ServiceRequest; route: Route; due: ReturnType<typeof deadlines> } {
  const due = deadlines(p.urgency, now, community.community.settings, community.community.timezone)
  return { request: Object.assign(new ServiceRequest(), newRequestRow(fieldsOf(p, community), r, due, now, '')), route: r, due }
}

/** A planned report as createRequest's props would give it. */
function fieldsOf(p: Planned, community: CachedCommunity): NewRequestFields {
  const c = p.report.classification
  return {
    communityId: community.community.id, source: 'group', text: p.report.text, category: p.category, urgency: p.urgency,
    building: p.building, unit: p.unit, roomNo: p.roomNo, reporterResidentId: p.resident.id, reporterStaffId: null, chatRoomId: p.report.room.id,
    classifierMethod: c.method, classifierVersion: c.version ?? null, confidence: c.confidence, needsTriage: p.needsTriage, reasons: c.reasons,
  }
}

/** Numbers the new requests (one statement) and writes them (one INSERT), setting their numbers and ids in place. */
async function writeNewRequests(em: EntityManager, communityId: number, requests: ServiceRequest[]): Promise<void> {
  if (!requests.length) return
  // MySQL numbers on a connection of its own, committed at once (as intake does): no lock held to this commit.
  const { first } = await nextNumbers(em, communityId, requests.length, dialectOf(em) === 'mysql')
  requests.forEach((r, i) => { r.no = String(first + i) })
  const written = await insertRows(em, ServiceRequest, requests)
  written.forEach((w, i) => { requests[i]!.id = w.id })
}

/** The events (one INSERT), the reporter rows (one), what each report leads to, and every notification (one). */
async function writeTheRest(em: EntityManager, deps: BatchFilerDeps, community: CachedCommunity, plans: Planned[]): Promise<BatchFiled[]> {
  const events: EventProps[] = plans.flatMap((p): EventProps[] => {
    if (!p.created) return [coReportedEventProps({ requestId: p.joins!.id, residentId: p.resident.id, text: p.report.text, channel: 'group', existing: p.existing })]
    return newRequestEvents(p.created.request.id, fieldsOf(p, community), p.created.route, p.created.due)
  })
  const written = await recordEvents(em, deps.clock, events)
  const now = deps.clock.now()
  await insertRows(em, RequestReporter, plans.flatMap((p) => (!p.created && p.existing ? [] : [{
    requestId: p.created?.request.id ?? p.joins!.id, residentId: p.resident.id, role: p.created ? 'reporter' as const : 'co_reporter' as const, source: 'group' as const, text: p.report.text, createdAt: now,
  }])))

  const drafts: OutboxDraft[] = []
  const filed: BatchFiled[] = []
  let e = 0
  for (const p of plans) {
    const causeKey = `inbox:${p.report.inboxId}`
    let one: BatchFiled
    if (p.created) {
      const { request, route: r } = p.created
      const dispatchEvent = written[e + 1]!
      e += 2
      drafts.push(...newRequestDrafts({
        dispatched: request, current: request, eventId: dispatchEvent.id, community, route: r, reporter: p.resident,
        props: { reporterStaffId: null, causeKey, acknowledgement: acknowledgementFor('room', p.resident, p.report.room), source: 'group', publicUrl: publicUrlOf(deps.config) },
      }))
      await linkRequestToTopics(em, deps.clock, request, community.openTopics)
      one = { kind: 'created', request }
    } else {
      const event = written[e++]!
      const told = coReporterDraft({ request: p.joins!, resident: p.resident, existing: p.existing, event, causeKey, roomTopic: p.report.room.topic })
      if (told) drafts.push(told)
      one = { kind: 'attached', request: p.joins! }
    }
    if (deps.after) drafts.push(...await deps.after(em, p.report, one))
    filed.push(one)
  }
  await enqueue(em, deps.clock, drafts)
  return filed
}
