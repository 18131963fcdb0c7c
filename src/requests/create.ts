import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { route } from '../community/routing.js'
import { consoleLinks } from '../console/login.js'
import { deadlines, expectationText } from '../community/sla.js'
import { loadCommunity, staffById } from '../community/snapshot.js'
import type { Category, Urgency } from '../community/taxonomy.js'
import { Community, RequestReporter, Resident, ServiceRequest, type Channel, type RequestSource } from '../db/entities/index.js'
import { enqueue, PRIORITY, type OutboxDraft } from '../outbox/outbox.js'
import { recordEvent, SYSTEM, type Actor } from './events.js'
import { transition } from './lifecycle.js'
import { acknowledgementText, displayName, newTaskText, staffReportAckText } from './messages.js'
import { notifyStaff } from './notify.js'
import { safetyAdvice } from './safetyAdvice.js'

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
}

const channelOf = (s: RequestSource): Channel => (s === 'staff' ? 'private' : s)

/** Allocates the community's next human-readable number under the row lock of the UPDATE. */
async function nextNumber(em: EntityManager, communityId: number): Promise<string> {
  await em.createQueryBuilder().update(Community).set({ requestSeq: () => 'request_seq + 1' }).where('id = :id', { id: communityId }).execute()
  const c = await em.findOneOrFail(Community, { where: { id: communityId }, select: { id: true, requestSeq: true } })
  return String(c.requestSeq)
}

/**
 * 上报 + 派单: creates the request, records the reporter, routes it and dispatches it with SLA deadlines,
 * and writes the acknowledgement and task notifications to the outbox — all in the caller's transaction.
 */
export async function createRequest(em: EntityManager, clock: Clock, p: CreateRequestProps): Promise<ServiceRequest> {
  const now = clock.now()
  const no = await nextNumber(em, p.communityId)
  const request = await em.save(ServiceRequest, em.create(ServiceRequest, {
    communityId: p.communityId, no, source: p.source, chatRoomId: p.chatRoomId ?? null, originalText: p.text,
    category: p.category, urgency: p.urgency, building: p.building, unit: p.unit ?? null, roomNo: p.roomNo ?? null,
    reporterResidentId: p.reporterResidentId, reporterStaffId: p.reporterStaffId ?? null, status: 'new', reopenCount: 0,
    classifierMethod: p.classifierMethod, classifierVersion: p.classifierVersion ?? null, confidence: p.confidence, needsTriage: p.needsTriage, createdAt: now, updatedAt: now,
  }))
  const actor: Actor = p.reporterResidentId ? { type: 'resident', id: p.reporterResidentId } : p.reporterStaffId ? { type: 'staff', id: p.reporterStaffId } : SYSTEM
  await recordEvent(em, clock, {
    requestId: request.id, type: 'created', actor, channel: channelOf(p.source), toStatus: 'new',
    data: { method: p.classifierMethod, version: p.classifierVersion ?? null, confidence: p.confidence, needsTriage: p.needsTriage, reasons: p.reasons ?? [] },
  })
  if (p.reporterResidentId) {
    await em.save(RequestReporter, em.create(RequestReporter, {
      requestId: request.id, residentId: p.reporterResidentId, role: 'reporter', source: p.source, text: p.text, createdAt: now,
    }))
  }
  return dispatchNew(em, clock, request, p)
}

async function dispatchNew(em: EntityManager, clock: Clock, request: ServiceRequest, p: CreateRequestProps): Promise<ServiceRequest> {
  const community = await loadCommunity(em, p.communityId)
  const tz = community.community.timezone
  const r = route(community, { building: request.building, chatRoomId: request.chatRoomId, category: request.category, urgency: request.urgency })
  const due = deadlines(request.urgency, clock.now(), community.community.settings, tz)
  const { request: dispatched, event } = await transition(em, clock, {
    requestId: request.id, action: 'dispatch', actor: SYSTEM, channel: 'system',
    set: { gridId: r.gridId, assigneeStaffId: r.ownerStaffId, dispatchedAt: clock.now(), ...due },
    data: { rule: r.rule, assigneeStaffId: r.ownerStaffId, gridId: r.gridId, ...due },
  })
  const assignee = staffById(community, r.ownerStaffId)
  // A staff member's own report that routes to them is theirs already: signed for at once, no task DM to themselves.
  const selfAssigned = p.reporterStaffId != null && p.reporterStaffId === r.ownerStaffId
  const current = selfAssigned
    ? (await transition(em, clock, {
      requestId: request.id, action: 'accept', actor: { type: 'staff', id: p.reporterStaffId! }, channel: channelOf(p.source),
      set: { acceptedAt: clock.now() }, data: { selfReport: true },
    })).request
    : dispatched
  const key = `${p.causeKey}:evt${event.id}`
  const reporter = p.reporterResidentId ? await em.findOne(Resident, { where: { id: p.reporterResidentId } }) : null
  const expectation = expectationText(request.urgency, community.community.settings)
  const urgent = request.urgency === 'urgent'
  let ack = p.reporterStaffId != null ? staffReportAckText(current, assignee, selfAssigned, expectation) : acknowledgementText(dispatched, assignee, expectation)
  if (urgent) ack += `\n⚠️ 安全提示：${safetyAdvice(request.originalText, request.category)}`

  const drafts: OutboxDraft[] = []
  const priority = urgent ? PRIORITY.urgent : PRIORITY.normal
  if (p.acknowledgement?.channel === 'wechat_room') {
    drafts.push({ dedupeKey: `${key}:ack`, channel: 'wechat_room', target: p.acknowledgement.roomTopic, mentions: [p.acknowledgement.mention], text: ack, priority, requestId: request.id })
  } else if (p.acknowledgement?.channel === 'wechat_dm') {
    drafts.push({ dedupeKey: `${key}:ack`, channel: 'wechat_dm', target: p.acknowledgement.wechatName, text: ack, priority, requestId: request.id })
  }
  await enqueue(em, clock, drafts)
  const room = community.rooms.find((x) => x.id === request.chatRoomId)
  const via = room ? room.topic : p.source === 'miniprogram' ? '小程序' : p.source === 'staff' ? '工作人员代报' : '私聊'
  const task = newTaskText(dispatched, tz, displayName(reporter), via, assignee?.role === 'secretary')
  if (!selfAssigned) await notifyStaff(em, clock, dispatched, [assignee], `${key}:task`, task)
  // Those told but not owning it (the 书记 for urgent ones) get the dispatcher's commands, not the assignee's.
  const notified = r.notifyStaffIds.map((id) => staffById(community, id))
  const fyi = newTaskText(dispatched, tz, displayName(reporter), via, true)
  const link = p.publicUrl ? `\n在工作台查看：${consoleLinks.request(p.publicUrl, dispatched.id)}` : ''
  await notifyStaff(em, clock, dispatched, notified, `${key}:fyi`, `【紧急工单提醒】已派给${assignee?.name ?? '（无人）'}\n${fyi}${link}`)
  return current
}
