import type { EntityManager } from 'typeorm'
import { In, IsNull, Not } from 'typeorm'
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js'
import type { Clock } from '../clock.js'
import { loadCommunity, secretaryOf } from '../community/snapshot.js'
import { CareResident, CareVisit, CareVisitEvent, Community } from '../db/entities/index.js'
import { NotFoundError } from '../errors.js'
import { enqueue, PRIORITY } from '../outbox/outbox.js'
import { draftToStaff } from '../requests/notify.js'
import { formatLocal } from '../time.js'
import { decryptDetails, encryptText } from './crypto.js'
import { IllegalVisitTransitionError, OPEN_VISIT_STATUSES, VISIT_TRANSITIONS, type VisitAction } from './visitStateMachine.js'
import { addressText, GRADE_NAMES, visitIntervalMs, type CareGrade } from './vocabulary.js'

export interface VisitActor { type: 'resident' | 'staff' | 'system'; id: number | null }
const SYSTEM: VisitActor = { type: 'system', id: null }

async function careRuleOf(em: EntityManager, communityId: number) {
  const c = await em.findOne(Community, { where: { id: communityId }, select: { id: true, settings: true, timezone: true } })
  if (!c) throw new NotFoundError('社区', 'community_not_found')
  return c
}

export const intervalOf = (community: Pick<Community, 'settings'>, grade: number) => visitIntervalMs(grade, community.settings.care)

/**
 * The one way a visit changes status: an UPDATE guarded by `status IN (allowed)`, and an event row, in the
 * caller's transaction. Of two racing actors exactly one wins; the other gets IllegalVisitTransitionError.
 */
export async function transitionVisit(em: EntityManager, clock: Clock, p: {
  visitId: number; action: VisitAction; actor: VisitActor; set?: QueryDeepPartialEntity<CareVisit>; data?: Record<string, unknown>
}): Promise<CareVisit> {
  const rule = VISIT_TRANSITIONS[p.action]
  const before = await em.findOne(CareVisit, { where: { id: p.visitId } })
  if (!before) throw new NotFoundError('走访记录', 'visit_not_found')
  const closing = rule.to === 'done' || rule.to === 'cancelled'
  const result = await em.createQueryBuilder().update(CareVisit)
    .set({ ...(p.set ?? {}), status: rule.to, ...(closing ? { openFor: null } : {}) })
    .where('id = :id AND status IN (:...from)', { id: p.visitId, from: rule.from })
    .execute()
  if (!result.affected) {
    const current = await em.findOne(CareVisit, { where: { id: p.visitId } })
    throw new IllegalVisitTransitionError(p.visitId, (current ?? before).status, p.action)
  }
  await em.save(CareVisitEvent, em.create(CareVisitEvent, {
    visitId: p.visitId, type: p.action, fromStatus: before.status, toStatus: rule.to, actorType: p.actor.type, actorId: p.actor.id,
    data: p.data ?? null, createdAt: clock.now(),
  }))
  return em.findOneOrFail(CareVisit, { where: { id: p.visitId } })
}

export const openVisitOf = (em: EntityManager, careResidentId: number) =>
  em.findOne(CareVisit, { where: { careResidentId, openFor: careResidentId } })

/** Inserts the next scheduled visit unless one is open already (the unique open_for index makes this race-safe). */
async function scheduleVisit(em: EntityManager, clock: Clock, cr: CareResident, dueAt: Date): Promise<boolean> {
  await em.createQueryBuilder().insert().into(CareVisit).values({
    communityId: cr.communityId, careResidentId: cr.id, gridId: cr.gridId, status: 'scheduled', dueAt, openFor: cr.id, createdAt: clock.now(),
  }).orIgnore().execute()
  // An open visit without events is the one just inserted; otherwise one was open already and nothing changed.
  const visit = await openVisitOf(em, cr.id)
  if (!visit || await em.count(CareVisitEvent, { where: { visitId: visit.id } })) return false
  await em.save(CareVisitEvent, em.create(CareVisitEvent, {
    visitId: visit.id, type: 'schedule', fromStatus: null, toStatus: 'scheduled', actorType: 'system', actorId: null, data: { dueAt: dueAt.toISOString() }, createdAt: clock.now(),
  }))
  return true
}

/** Every active roster resident without an open visit gets one, due an interval after they were last seen (or now). */
export async function ensureVisitsScheduled(em: EntityManager, clock: Clock, communityId: number): Promise<number> {
  const community = await careRuleOf(em, communityId)
  const roster = await em.find(CareResident, { where: { communityId, active: true }, order: { id: 'ASC' } })
  const open = new Set((await em.find(CareVisit, { where: { communityId, openFor: Not(IsNull()) }, select: { id: true, careResidentId: true } })).map((v) => v.careResidentId))
  let n = 0
  for (const cr of roster) {
    if (open.has(cr.id)) continue
    const from = cr.lastContactAt ?? clock.now()
    if (await scheduleVisit(em, clock, cr, new Date(from.getTime() + intervalOf(community, cr.grade)))) n++
  }
  return n
}

export interface RecordVisitProps {
  careResidentId: number
  staffId: number
  /** what the visitor wrote (民情日志); stored encrypted */
  note: string | null
  /** the inbox message (or API call) recording it: a replay records nothing twice */
  causeKey: string
  encryptionKey: string
}

/**
 * 走访 done: closes the open visit (or records an unscheduled one), resets the resident's clock and
 * schedules the next visit one interval on. Returns the visit and whether this call recorded it.
 */
export async function recordVisit(em: EntityManager, clock: Clock, p: RecordVisitProps): Promise<{ visit: CareVisit; recorded: boolean }> {
  const already = await em.findOne(CareVisit, { where: { causeKey: p.causeKey } })
  if (already) return { visit: already, recorded: false }
  const cr = await em.findOne(CareResident, { where: { id: p.careResidentId, active: true } })
  if (!cr) throw new NotFoundError('关爱对象', 'care_resident_not_found')
  const now = clock.now()
  const set = { doneAt: now, visitorStaffId: p.staffId, noteEncrypted: p.note ? encryptText(p.note, p.encryptionKey) : null, causeKey: p.causeKey }
  const open = await openVisitOf(em, cr.id)
  let visit: CareVisit
  if (open) {
    visit = await transitionVisit(em, clock, { visitId: open.id, action: 'record', actor: { type: 'staff', id: p.staffId }, set, data: { late: open.dueAt.getTime() < now.getTime() } })
  } else {
    visit = await em.save(CareVisit, em.create(CareVisit, {
      communityId: cr.communityId, careResidentId: cr.id, gridId: cr.gridId, status: 'done', dueAt: now, openFor: null, createdAt: now, ...set,
    }))
    await em.save(CareVisitEvent, em.create(CareVisitEvent, {
      visitId: visit.id, type: 'record', fromStatus: null, toStatus: 'done', actorType: 'staff', actorId: p.staffId, data: { unscheduled: true }, createdAt: now,
    }))
  }
  await em.update(CareResident, { id: cr.id }, { lastContactAt: now })
  const community = await careRuleOf(em, cr.communityId)
  await scheduleVisit(em, clock, { ...cr, lastContactAt: now }, new Date(now.getTime() + intervalOf(community, cr.grade)))
  return { visit, recorded: true }
}

/** Links the 代报 request a visit note became to the visit (and so to the roster entry). */
export async function linkVisitRequest(em: EntityManager, visitId: number, requestId: number): Promise<void> {
  await em.update(CareVisit, { id: visitId, requestId: IsNull() }, { requestId })
}

/**
 * The resident was heard from (their own report): the clock restarts, so the open visit falls due one
 * interval from now and any 敲门/escalation flag is cleared.
 */
export async function noteResidentContact(em: EntityManager, clock: Clock, p: { careResidentId: number; via: string; requestId?: number | null }): Promise<boolean> {
  const cr = await em.findOne(CareResident, { where: { id: p.careResidentId, active: true } })
  if (!cr) return false
  const now = clock.now()
  await em.update(CareResident, { id: cr.id }, { lastContactAt: now })
  const open = await openVisitOf(em, cr.id)
  if (!open) return true
  const community = await careRuleOf(em, cr.communityId)
  const dueAt = new Date(now.getTime() + intervalOf(community, cr.grade))
  await transitionVisit(em, clock, {
    visitId: open.id, action: 'reschedule', actor: cr.residentId ? { type: 'resident', id: cr.residentId } : SYSTEM,
    set: { dueAt, overdueAt: null, escalatedAt: null }, data: { via: p.via, requestId: p.requestId ?? null, dueAt: dueAt.toISOString() },
  })
  return true
}

/** Finds the active roster entry whose own WeChat name this is (by keyed hash). */
export async function rosterEntryByWechatHash(em: EntityManager, communityId: number, wechatHash: string): Promise<CareResident | null> {
  return em.findOne(CareResident, { where: { communityId, wechatHash, active: true }, order: { id: 'ASC' } })
}

export interface VisitCheckSummary { flagged: number; escalated: number }

/**
 * Open visits past due are flagged for a door knock (敲门: not seen or heard from for the grade's interval);
 * those overdue by more than half an interval go to the 书记. Both are guarded transitions, and the
 * escalation DM is keyed by the visit, so running this twice (or in two instances) does nothing twice.
 */
export async function checkVisits(em: EntityManager, clock: Clock, communityId: number, encryptionKey: string): Promise<VisitCheckSummary> {
  const snapshot = await loadCommunity(em, communityId)
  const community = snapshot.community
  const now = clock.now()
  const open = await em.find(CareVisit, { where: { communityId, status: In([...OPEN_VISIT_STATUSES]) }, order: { dueAt: 'ASC', id: 'ASC' } })
  const roster = new Map((await em.find(CareResident, { where: { communityId } })).map((c) => [c.id, c]))
  const summary: VisitCheckSummary = { flagged: 0, escalated: 0 }
  for (const v of open) {
    const cr = roster.get(v.careResidentId)
    if (!cr || v.dueAt.getTime() > now.getTime()) continue
    const interval = intervalOf(community, cr.grade)
    if (v.status === 'scheduled') {
      await transitionVisit(em, clock, { visitId: v.id, action: 'flag_overdue', actor: SYSTEM, set: { overdueAt: now } })
      summary.flagged++
    }
    if (v.status !== 'escalated' && now.getTime() > v.dueAt.getTime() + interval / 2) {
      await transitionVisit(em, clock, { visitId: v.id, action: 'escalate', actor: SYSTEM, set: { escalatedAt: now } })
      const d = decryptDetails(cr.detailsEncrypted, encryptionKey)
      const grid = snapshot.grids.find((g) => g.id === cr.gridId)
      const leader = snapshot.staff.find((s) => s.id === grid?.leaderStaffId)
      const days = Math.floor((now.getTime() - (cr.lastContactAt ?? v.createdAt).getTime()) / 86_400_000)
      const text = `【走访超期】${grid?.name ?? '未分网格'}的关爱对象 ${d.name}（${GRADE_NAMES[cr.grade as CareGrade]}，${addressText(d)}）` +
        `应于 ${formatLocal(v.dueAt, community.timezone)} 前走访，已超期，${days} 天未见面或联系。网格员：${leader?.name ?? '（无）'}。请督促尽快上门。`
      const draft = draftToStaff(secretaryOf(snapshot), `care-escalate:${v.id}`, text, { priority: PRIORITY.normal })
      if (draft) await enqueue(em, clock, [draft])
      summary.escalated++
    }
  }
  return summary
}
