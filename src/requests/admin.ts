import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import type { Category, Urgency } from '../community/taxonomy.js'
import { CATEGORY_NAMES } from '../community/taxonomy.js'
import { RequestReporter, ServiceRequest, type Channel, type RequestEvent, type RequestSource, type Staff } from '../db/entities/index.js'
import { dialectOf } from '../db/dataSource.js'
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js'
import { enqueue, type OutboxDraft } from '../outbox/outbox.js'
import { recordEvent, recordEventIf, type Actor, type EventProps } from './events.js'
import { transition } from './lifecycle.js'
import { draftToResident, notifyStaff, reportersOf } from './notify.js'
import { displayName, newTaskText, TRIAGED_TASK_NOTE } from './messages.js'
import { loadCommunity, staffById } from '../community/snapshot.js'
import { route } from '../community/routing.js'
import { deadlines } from '../community/sla.js'
import { OPEN_STATUSES } from './stateMachine.js'
import { Resident } from '../db/entities/index.js'
import { recordCorrection } from '../corrections/correctionRecorder.js'

const requireSecretary = (staff: Staff) => {
  if (staff.role !== 'secretary' || !staff.active) throw new ForbiddenError('只有社区书记可以执行此操作', 'secretary_only')
}

/** A resident reporting an open request's problem again, and how they are linked to it as the caller read it. */
export interface CoReport {
  requestId: number; residentId: number; source: RequestSource; text: string; channel: Channel
  /** The resident's reporter row on the request (null: none, they become a co-reporter). */
  existing: Pick<RequestReporter, 'role'> | null
}

/**
 * A repeated report of the same problem: the resident becomes a co-reporter of the open request,
 * is told its number, and from now on gets the same updates and callback. Idempotent per resident.
 */
export async function addCoReporter(em: EntityManager, clock: Clock, p: Omit<CoReport, 'existing'> & {
  causeKey: string
  /** where to tell them (a group reply @-mentioning them), else a DM */
  roomTopic?: string | null
  /** The request and the resident as the caller read them in this transaction (saves reading them again). */
  request?: ServiceRequest
  resident?: Resident
  /** The resident's reporter row on it as the caller read it in this transaction (null: none); else it is read here. */
  existing?: Pick<RequestReporter, 'role'> | null
}) {
  const request = p.request?.id === p.requestId ? p.request : await em.findOne(ServiceRequest, { where: { id: p.requestId } })
  if (!request) throw new NotFoundError('工单', 'request_not_found')
  const existing = p.existing !== undefined ? p.existing : await em.findOne(RequestReporter, { where: { requestId: p.requestId, residentId: p.residentId } })
  const event = (await coReportedEvent(em, clock, { ...p, existing }))!
  const resident = p.resident?.id === p.residentId ? p.resident : await em.findOneOrFail(Resident, { where: { id: p.residentId } })
  await tellCoReporter(em, clock, { request, resident, existing, event, causeKey: p.causeKey, roomTopic: p.roomTopic })
  return request
}

/**
 * Records a co-report: its co_reported event and, for a resident not yet on the request, their co_reporter row.
 * With `asRead`, only while the request is still open and as the caller read it (stillAsRead), checked in the
 * event's own INSERT: null when it is not, and nothing is written. Without, the caller holds what it read.
 */
export async function coReportedEvent(em: EntityManager, clock: Clock, p: CoReport & { asRead?: ServiceRequest }): Promise<RequestEvent | null> {
  const event = coReportedEventProps(p)
  const recorded = p.asRead
    ? await recordEventIf(em, clock, event, ...stillAsRead(em, p.asRead, p.residentId, p.existing))
    : await recordEvent(em, clock, event)
  if (recorded && !p.existing) {
    await em.save(RequestReporter, em.create(RequestReporter, {
      requestId: p.requestId, residentId: p.residentId, role: 'co_reporter', source: p.source, text: p.text, createdAt: clock.now(),
    }))
  }
  return recorded
}

/** A co-report's event: who reported the problem again, with what words, and whether they were on it already. */
export function coReportedEventProps(p: Omit<CoReport, 'source'>): EventProps {
  return { requestId: p.requestId, type: 'co_reported', actor: { type: 'resident', id: p.residentId }, channel: p.channel, data: { text: p.text, repeat: !!p.existing } }
}

/** Tells the co-reporter which request their report joined: in the group @-mentioning them when given a room, else a DM. */
export async function tellCoReporter(em: EntityManager, clock: Clock, p: CoReporterTold): Promise<void> {
  const d = coReporterDraft(p)
  if (d) await enqueue(em, clock, [d])
}

export interface CoReporterTold {
  request: Pick<ServiceRequest, 'id' | 'no' | 'category'>; resident: Resident; existing: CoReport['existing']; event: Pick<RequestEvent, 'id'>; causeKey: string; roomTopic?: string | null
}

/** What tellCoReporter sends (null: the resident cannot be reached); pure, for the batch filer too. */
export function coReporterDraft(p: CoReporterTold): OutboxDraft | null {
  const { request, resident } = p
  const text = p.existing?.role === 'reporter'
    ? `您反映的问题已在工单 ${request.no}（${CATEGORY_NAMES[request.category]}）中办理，请耐心等待，有进展会通知您。`
    : `这个问题已有人反映，已并入工单 ${request.no}（${CATEGORY_NAMES[request.category]}），处理进展和回访会同步通知您。`
  if (p.roomTopic && resident.wechatName) {
    return { dedupeKey: `${p.causeKey}:coack`, channel: 'wechat_room', target: p.roomTopic, mentions: [resident.wechatName], text, requestId: request.id }
  }
  return draftToResident(resident, `${p.causeKey}:coack:evt${p.event.id}`, text, { requestId: request.id })
}

/**
 * SQL (and its parameters) true while the request is still open and the one the caller read: the same status (the
 * answer shows it), community, category, place (building, room) and assignee, and the resident's reporter row as
 * read (read as none: the row's unique key refuses a second one). MySQL reads it with a shared lock held to commit, so a closing, moving or
 * reassigning UPDATE waits for this transaction and one that committed first is seen; SQLite's one writer needs none.
 */
function stillAsRead(em: EntityManager, read: ServiceRequest, residentId: number, existing: CoReport['existing']): [string, unknown[]] {
  const mysql = dialectOf(em) === 'mysql'
  const same = mysql ? '<=>' : 'IS' // equal, or both NULL
  const reporter = existing ? 'JOIN request_reporters rr ON rr.request_id = r.id AND rr.resident_id = ? AND rr.role = ? ' : ''
  const sql = `EXISTS (SELECT 1 FROM requests r ${reporter}WHERE r.id = ? AND r.status IN (${OPEN_STATUSES.map(() => '?').join(', ')}) AND r.status = ? `
    + `AND r.community_id = ? AND r.category = ? AND r.building ${same} ? AND r.chat_room_id ${same} ? AND r.assignee_staff_id ${same} ?`
    + `${mysql ? ' LOCK IN SHARE MODE' : ''})`
  return [sql, [
    ...(existing ? [residentId, existing.role] : []), read.id, ...OPEN_STATUSES, read.status,
    read.communityId, read.category, read.building, read.chatRoomId, read.assigneeStaffId,
  ]]
}

/** 分诊: the 书记 confirms or changes a low-confidence classification. */
export async function confirmTriage(em: EntityManager, clock: Clock, p: { requestId: number; staff: Staff; category?: Category; urgency?: Urgency; channel: Channel }) {
  requireSecretary(p.staff)
  const r = await em.findOne(ServiceRequest, { where: { id: p.requestId, communityId: p.staff.communityId } })
  if (!r) throw new NotFoundError('工单', 'request_not_found')
  // Every triage decision is a labelled example for the next training run.
  await recordCorrection(em, {
    request: r, kind: p.category || p.urgency ? 'changed' : 'confirmed', category: p.category, urgency: p.urgency,
    staff: { id: p.staff.id, role: p.staff.role }, at: clock.now(),
  })
  const changes = { category: p.category ?? r.category, urgency: p.urgency ?? r.urgency, needsTriage: false, updatedAt: clock.now() }
  await em.update(ServiceRequest, { id: r.id }, changes)
  await recordEvent(em, clock, {
    requestId: r.id, type: 'triaged', actor: { type: 'staff', id: p.staff.id }, channel: p.channel,
    data: { from: { category: r.category, urgency: r.urgency }, to: { category: changes.category, urgency: changes.urgency } },
  })
  // A new category may belong to someone else (e.g. dispute → mediator): re-route work nobody has signed for yet.
  if (r.status === 'dispatched' && (changes.category !== r.category || changes.urgency !== r.urgency)) {
    const community = await loadCommunity(em, r.communityId)
    const updated = await em.findOneOrFail(ServiceRequest, { where: { id: r.id } })
    const next = route(community, { building: updated.building, chatRoomId: updated.chatRoomId, category: updated.category, urgency: updated.urgency })
    const now = clock.now()
    const { request, event } = await transition(em, clock, {
      requestId: r.id, action: 'transfer', actor: { type: 'staff', id: p.staff.id }, channel: p.channel,
      set: { assigneeStaffId: next.ownerStaffId, gridId: next.gridId, dispatchedAt: now, ...deadlines(updated.urgency, now, community.community.settings, community.community.timezone) },
      data: { from: r.assigneeStaffId, to: next.ownerStaffId, rule: next.rule, reason: 'triage' },
    })
    if (next.ownerStaffId !== r.assigneeStaffId) {
      // The source stays the source (the group, or 私聊); why it comes now is said on its own line.
      const reporters = await reportersOf(em, request.id)
      const room = community.rooms.find((x) => x.id === request.chatRoomId)
      const owner = staffById(community, next.ownerStaffId)
      const task = `${newTaskText(request, community.community.timezone, displayName(reporters[0]?.resident), room?.topic ?? '私聊', owner?.role === 'secretary')}\n${TRIAGED_TASK_NOTE}`
      await notifyStaff(em, clock, request, [staffById(community, next.ownerStaffId)], `evt${event.id}`, task)
      const previous = staffById(community, r.assigneeStaffId)
      if (previous) await notifyStaff(em, clock, request, [previous], `evt${event.id}:prev`, `工单 ${request.no} 经书记分诊已改派给${staffById(community, next.ownerStaffId)?.name ?? '他人'}，您无需再处理。`)
    }
    return request
  }
  return em.findOneOrFail(ServiceRequest, { where: { id: r.id } })
}
