import type { EntityManager } from 'typeorm'
import { In } from 'typeorm'
import type { Clock } from '../clock.js'
import { RequestReporter, Resident, type ServiceRequest, type Staff } from '../db/entities/index.js'
import { enqueue, PRIORITY, type OutboxDraft } from '../outbox/outbox.js'

/** The people a request update goes to: reporter and co-reporters. */
export async function reportersOf(em: EntityManager, requestId: number): Promise<{ reporter: RequestReporter; resident: Resident }[]> {
  const rows = await em.find(RequestReporter, { where: { requestId }, order: { id: 'ASC' } })
  if (!rows.length) return []
  const residents = await em.find(Resident, { where: { id: In(rows.map((r) => r.residentId)) } })
  return rows.flatMap((reporter) => {
    const resident = residents.find((r) => r.id === reporter.residentId)
    return resident ? [{ reporter, resident }] : []
  })
}

/** A resident is reached by WeChat DM when we know their WeChat name, else by mini-program subscribe message. */
export function draftToResident(resident: Resident, key: string, text: string, extra: Partial<OutboxDraft> = {}): OutboxDraft | null {
  if (resident.wechatName) return { dedupeKey: `${key}:dm:${resident.id}`, channel: 'wechat_dm', target: resident.wechatName, text, ...extra }
  if (resident.openid && resident.subscribeAllowed) {
    return { dedupeKey: `${key}:mp:${resident.id}`, channel: 'mp_subscribe', target: resident.openid, text, ...extra }
  }
  return null
}

export function draftToStaff(staff: Staff | null | undefined, key: string, text: string, extra: Partial<OutboxDraft> = {}): OutboxDraft | null {
  if (!staff || !staff.active) return null
  // A bound staff member is reached at their bound contact, whatever name others take.
  const bound = staff.wechatContactId ? { contactId: staff.wechatContactId, remark: staff.wechatRemark } : null
  const payload = bound || extra.payload ? { ...(extra.payload ?? {}), ...(bound ?? {}) } : undefined
  return { dedupeKey: `${key}:staff:${staff.id}`, channel: 'wechat_dm', target: staff.wechat, text, ...extra, ...(payload ? { payload } : {}) }
}

/** Tells every reporter and co-reporter of a request, in the caller's transaction. */
export async function notifyReporters(em: EntityManager, clock: Clock, request: ServiceRequest, key: string, text: string, payload?: Record<string, unknown>) {
  const drafts = (await reportersOf(em, request.id))
    .map(({ resident }) => draftToResident(resident, key, text, { requestId: request.id, payload, priority: request.urgency === 'urgent' ? PRIORITY.urgent : PRIORITY.normal }))
    .filter((d): d is OutboxDraft => d !== null)
  await enqueue(em, clock, drafts)
}

export async function notifyStaff(em: EntityManager, clock: Clock, request: ServiceRequest, staff: (Staff | null | undefined)[], key: string, text: string) {
  await enqueue(em, clock, staffDrafts(request, staff, key, text))
}

/** The outbox drafts telling these staff (each once) about a request; written by the caller, batched with others. */
export function staffDrafts(request: ServiceRequest, staff: (Staff | null | undefined)[], key: string, text: string): OutboxDraft[] {
  const priority = request.urgency === 'urgent' ? PRIORITY.urgent : PRIORITY.normal
  const seen = new Set<number>()
  return staff.filter((s): s is Staff => !!s && !seen.has(s.id) && (seen.add(s.id), true))
    .map((s) => draftToStaff(s, key, text, { requestId: request.id, priority }))
    .filter((d): d is OutboxDraft => d !== null)
}
