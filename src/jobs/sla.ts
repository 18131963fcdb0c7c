import type { DataSource, EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { DEFAULT_CALLBACK_RULE, type CommunitySettings } from '../community/settings.js'
import { slaDueAt, slaFor } from '../community/sla.js'
import { loadCommunity, secretaryOf, staffById, type CommunitySnapshot } from '../community/snapshot.js'
import { CATEGORY_NAMES, URGENCY_NAMES, type Urgency } from '../community/taxonomy.js'
import { ServiceRequest, type Staff } from '../db/entities/index.js'
import { inTransaction } from '../db/transaction.js'
import type { Logger } from '../logger.js'
import { enqueue, PRIORITY, type OutboxDraft } from '../outbox/outbox.js'
import { outOfQuietHours } from '../requests/callbackTime.js'
import { SYSTEM, recordEvent } from '../requests/events.js'
import { locationText } from '../requests/messages.js'
import { draftToStaff } from '../requests/notify.js'
import type { RequestStatus } from '../requests/stateMachine.js'
import { describeMinutes } from '../stats/format.js'
import { formatLocal } from '../time.js'
import { fromSqlTime, toSqlTime } from './sql.js'
import type { JobRunSummary } from './types.js'

export type SlaPhase = 'accept' | 'resolve'
export type SlaColor = 'red' | 'yellow' | 'green'

const HOUR = 3600_000

/** The columns of each SLA phase. A claim column set at or before the latest dispatch belongs to an earlier round (退单 → 转派). */
const PHASES = {
  accept: {
    statuses: ['dispatched', 'reopened'] as RequestStatus[],
    due: 'acceptDueAt', dueCol: 'accept_due_at', windowKey: 'acceptMs',
    reminded: 'acceptRemindedAt', remindedCol: 'accept_reminded_at', escalated: 'acceptEscalatedAt', escalatedCol: 'accept_escalated_at',
    verb: '签收',
  },
  resolve: {
    statuses: ['dispatched', 'accepted', 'reopened'] as RequestStatus[],
    due: 'resolveDueAt', dueCol: 'resolve_due_at', windowKey: 'resolveMs',
    reminded: 'resolveRemindedAt', remindedCol: 'resolve_reminded_at', escalated: 'resolveEscalatedAt', escalatedCol: 'resolve_escalated_at',
    verb: '办结',
  },
} as const

export type SlaFields = Pick<ServiceRequest, 'status' | 'urgency' | 'acceptDueAt' | 'resolveDueAt' | 'acceptedAt' | 'resolvedAt' | 'closedAt'>

/**
 * Traffic light for the API and the digest. Open requests: red when the current deadline (签收 until accepted,
 * then 办结) has passed, yellow from 75% of its window or within its last hour, else green.
 * Resolved/closed: red if it was resolved after its deadline, else green. Merged/cancelled: green.
 */
export function slaColor(request: SlaFields, now: Date, settings?: Pick<CommunitySettings, 'sla'>): SlaColor {
  const t = now.getTime()
  if (request.status === 'resolved' || request.status === 'closed') {
    const done = request.resolvedAt ?? request.closedAt
    return request.resolveDueAt && done && done.getTime() > request.resolveDueAt.getTime() ? 'red' : 'green'
  }
  if (request.status === 'merged' || request.status === 'cancelled') return 'green'
  if (request.resolveDueAt && t > request.resolveDueAt.getTime()) return 'red'
  const phase: SlaPhase = request.acceptedAt ? 'resolve' : 'accept'
  const due = phase === 'accept' ? request.acceptDueAt : request.resolveDueAt
  if (!due) return 'green'
  const left = due.getTime() - t
  if (left < 0) return 'red'
  const window = slaFor(request.urgency, settings)[PHASES[phase].windowKey]
  return left <= HOUR || left <= window * 0.25 ? 'yellow' : 'green'
}

export interface SlaDeps {
  db: DataSource
  clock: Clock
  logger?: Logger
}

const iso = (d: Date) => d.toISOString()

/**
 * One SLA pass over every community: for each phase (签收, 办结), remind the assignee once when the deadline
 * has passed, and at the deadline plus one more window (dispatch + 2× window) escalate 催办 to the grid's
 * deputy and the 书记. Each notice is claimed by a guarded UPDATE of its claim column and written to the
 * outbox, with its event, in the same transaction — so concurrent or repeated runs send it once.
 */
export async function runSlaCheck(deps: SlaDeps): Promise<JobRunSummary> {
  const now = deps.clock.now()
  let reminders = 0, escalations = 0
  const snapshots = new Map<number, CommunitySnapshot>()
  const settings = new Map<number, Pick<CommunitySettings, 'sla'>>()
  /** Just the SLA overrides (one cheap query), to tell whether anything is due before loading the whole community. */
  const slaSettingsOf = async (communityId: number) => {
    let s = settings.get(communityId)
    if (!s) {
      const rows: { settings: string | null }[] = await deps.db.query('SELECT settings FROM communities WHERE id = ?', [communityId])
      try { s = JSON.parse(rows[0]?.settings ?? '{}') as Pick<CommunitySettings, 'sla'> } catch { s = { sla: {} } }
      settings.set(communityId, s)
    }
    return s
  }
  for (const phase of ['accept', 'resolve'] as const) {
    const p = PHASES[phase]
    // Runs every minute: one indexed query when nothing is due; community snapshots only when something is.
    const statuses = p.statuses.map(() => '?').join(', ')
    const candidates: { id: number; community_id: number; urgency: Urgency; due: unknown; reminded: unknown; dispatched_at: unknown }[] = await deps.db.query(
      `SELECT id, community_id, urgency, ${p.dueCol} AS due, ${p.remindedCol} AS reminded, dispatched_at FROM requests
       WHERE status IN (${statuses}) AND ${p.dueCol} <= ? AND (${p.escalatedCol} IS NULL OR ${p.escalatedCol} <= dispatched_at)
       ORDER BY ${p.dueCol}, id`,
      [...p.statuses, toSqlTime(now)],
    )
    for (const c of candidates) {
      try {
        const window = slaFor(c.urgency, await slaSettingsOf(c.community_id))[p.windowKey]
        // Reminded this round and not yet due for 催办: nothing to do (saves a transaction per overdue request per minute).
        if (remindedThisRound(fromSqlTime(c.reminded), fromSqlTime(c.dispatched_at)) && now.getTime() < slaDueAt(c.urgency, fromSqlTime(c.due)!, window).getTime()) continue
        const request = await deps.db.getRepository(ServiceRequest).findOneOrFail({ where: { id: c.id } })
        let snapshot = snapshots.get(request.communityId)
        if (!snapshot) snapshots.set(request.communityId, snapshot = await loadCommunity(deps.db.manager, request.communityId))
        const done = await inTransaction(deps.db, (em) => slaNotices(em, deps.clock, snapshot!, request, phase))
        reminders += done.reminded ? 1 : 0
        escalations += done.escalated ? 1 : 0
      } catch (err) {
        // One bad row must not stop the others; it is retried next minute.
        deps.logger?.error({ err, requestId: c.id, phase }, 'SLA notice failed')
      }
    }
  }
  return { acted: reminders + escalations, details: { reminders, escalations } }
}

/** The reminder was already sent for the current dispatch round (a claim at or before the dispatch is an earlier round's). */
function remindedThisRound(remindedAt: Date | null, dispatchedAt: Date | null): boolean {
  return !!remindedAt && !!dispatchedAt && remindedAt.getTime() > dispatchedAt.getTime()
}

/** Claims and writes the reminder and/or escalation due for one request in one phase. */
async function slaNotices(em: EntityManager, clock: Clock, c: CommunitySnapshot, request: ServiceRequest, phase: SlaPhase) {
  const p = PHASES[phase]
  const now = clock.now()
  const due = request[p.due]!
  const window = slaFor(request.urgency, c.community.settings)[p.windowKey]
  const result = { reminded: false, escalated: false }

  /** Guarded claim: only while the request is still in this phase with the same deadline, and unclaimed this round. */
  const claim = async (column: string) => {
    const r = await em.createQueryBuilder().update(ServiceRequest).set({ [column === p.remindedCol ? p.reminded : p.escalated]: now })
      .where(`id = :id AND status IN (:...statuses) AND ${p.dueCol} = :due AND (${column} IS NULL OR ${column} <= dispatched_at)`, { id: request.id, statuses: p.statuses, due })
      .execute()
    return (r.affected ?? 0) === 1
  }

  const tz = c.community.timezone
  const assignee = staffById(c, request.assigneeStaffId)
  const urgent = request.urgency === 'urgent'
  const priority = urgent ? PRIORITY.urgent : PRIORITY.normal
  // Staff are not woken at night for non-urgent requests: the notice waits for the end of quiet hours.
  const notBefore = urgent ? now : outOfQuietHours(now, tz, c.community.settings.callbacks ?? DEFAULT_CALLBACK_RULE)
  const round = `${request.id}:${due.getTime()}`
  const summary = `工单 ${request.no}（${CATEGORY_NAMES[request.category]}｜${URGENCY_NAMES[request.urgency]}）`
  const details = `内容：${request.originalText}\n位置：${locationText(request)}`
  const drafts: OutboxDraft[] = []
  const push = (d: OutboxDraft | null) => { if (d && !drafts.some((x) => x.dedupeKey === d.dedupeKey)) drafts.push(d) }
  const extra = { requestId: request.id, priority, notBefore }

  if (!remindedThisRound(request[p.reminded], request.dispatchedAt) && await claim(p.remindedCol)) {
    const action = phase === 'accept' ? `请尽快回复「接单 ${request.no}」签收。` : `请尽快处理，完成后回复「完成 ${request.no} 处理说明」。`
    push(draftToStaff(assignee, `sla:${phase}:remind:${round}`,
      `【${p.verb}提醒】${summary}已超过${p.verb}时限（应于 ${formatLocal(due, tz)} 前${p.verb}），${action}\n${details}`, extra))
    await recordEvent(em, clock, {
      requestId: request.id, type: 'sla_reminder', actor: SYSTEM, channel: 'system',
      data: { phase, dueAt: iso(due), assigneeStaffId: request.assigneeStaffId, breached: true },
    })
    result.reminded = true
  }

  if (now.getTime() >= slaDueAt(request.urgency, due, window, tz).getTime() && await claim(p.escalatedCol)) {
    const grid = c.grids.find((g) => g.id === request.gridId)
    const supervisors = [staffById(c, grid?.deputyStaffId), secretaryOf(c)]
      .filter((s): s is Staff => !!s && s.active && s.id !== assignee?.id)
    const overdue = describeMinutes(Math.round((now.getTime() - due.getTime()) / 60_000))
    for (const s of supervisors) {
      push(draftToStaff(s, `sla:${phase}:escalate:${round}`,
        `【催办】${summary}已超过${p.verb}时限 ${overdue}仍未${p.verb}（负责人：${assignee?.name ?? '无'}，应于 ${formatLocal(due, tz)} 前${p.verb}）。\n${details}\n请督促处理。`, extra))
    }
    push(draftToStaff(assignee, `sla:${phase}:escalate:${round}:assignee`,
      // Nobody above the assignee (the 书记 holds it): nothing is "reported" to anyone, they are asked to act or hand it on.
      `【催办】${summary}超过${p.verb}时限 ${overdue}仍未${p.verb}，${supervisors.length ? `已报告${supervisors.map((s) => s.name).join('、')}，请立即处理。` : '请立即处理，或改派给网格员。'}`, extra))
    await recordEvent(em, clock, {
      requestId: request.id, type: 'sla_escalation', actor: SYSTEM, channel: 'system',
      data: { phase, dueAt: iso(due), assigneeStaffId: request.assigneeStaffId, notifiedStaffIds: supervisors.map((s) => s.id) },
    })
    result.escalated = true
  }
  await enqueue(em, clock, drafts)
  return result
}
