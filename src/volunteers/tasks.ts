import type { EntityManager } from 'typeorm'
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js'
import type { Clock } from '../clock.js'
import type { CommunitySnapshot } from '../community/snapshot.js'
import { ServiceRequest, Volunteer, VolunteerTask, VolunteerTaskEvent } from '../db/entities/index.js'
import { NotFoundError } from '../errors.js'
import { enqueue, PRIORITY, type OutboxDraft } from '../outbox/outbox.js'
import { dialectOf } from '../db/dataSource.js'
import { IllegalTaskTransitionError, TASK_TRANSITIONS, type TaskAction, type TaskStatus } from './taskStateMachine.js'
import { offerText } from './texts.js'

export interface TaskActor { type: 'resident' | 'staff' | 'volunteer' | 'system'; id: number | null }

/**
 * The one way a task changes status: an UPDATE guarded by `status IN (allowed)` (and any extra condition),
 * and an event row, in the caller's transaction. Of two racing actors exactly one wins; the other gets
 * IllegalTaskTransitionError.
 */
export async function transitionTask(em: EntityManager, clock: Clock, p: {
  taskId: number; action: TaskAction; actor: TaskActor; set?: QueryDeepPartialEntity<VolunteerTask>; data?: Record<string, unknown>
  /** e.g. only the volunteer who claimed it may report it done */
  onlyVolunteerId?: number
}): Promise<VolunteerTask> {
  const rule = TASK_TRANSITIONS[p.action]
  const before = await em.findOne(VolunteerTask, { where: { id: p.taskId } })
  if (!before) throw new NotFoundError(`志愿任务 #${p.taskId}`, 'task_not_found')
  const q = em.createQueryBuilder().update(VolunteerTask)
    .set({ ...(p.set ?? {}), status: rule.to })
    .where('id = :id AND status IN (:...from)', { id: p.taskId, from: rule.from })
  if (p.onlyVolunteerId != null) q.andWhere('volunteer_id = :vid', { vid: p.onlyVolunteerId })
  const result = await q.execute()
  if (!result.affected) throw new IllegalTaskTransitionError(p.taskId, await currentStatus(em, p.taskId), p.action)
  await em.save(VolunteerTaskEvent, em.create(VolunteerTaskEvent, {
    taskId: p.taskId, type: p.action, fromStatus: before.status, toStatus: rule.to, actorType: p.actor.type, actorId: p.actor.id,
    data: p.data ?? null, createdAt: clock.now(),
  }))
  return em.findOneOrFail(VolunteerTask, { where: { id: p.taskId } })
}

/**
 * The status as committed now. On MariaDB a plain read inside the transaction sees its snapshot, which may
 * predate the racing winner; a locking read sees the latest row.
 */
async function currentStatus(em: EntityManager, taskId: number): Promise<TaskStatus> {
  const lock = dialectOf(em) === 'mysql' ? ' FOR UPDATE' : ''
  const rows: { status: TaskStatus }[] = await em.query(`SELECT status FROM volunteer_tasks WHERE id = ?${lock}`, [taskId])
  return rows[0]!.status
}

/** Active, bound volunteers of a grid (of the whole community when the grid is unknown). */
export async function volunteersFor(em: EntityManager, communityId: number, gridId: number | null): Promise<Volunteer[]> {
  const all = await em.find(Volunteer, { where: { communityId, active: true }, order: { id: 'ASC' } })
  return all.filter((v) => v.wechatContactId && (gridId == null || v.gridIds.includes(gridId)))
}

export const mayTake = (v: Volunteer, t: VolunteerTask) => v.active && v.communityId === t.communityId && (t.gridId == null || v.gridIds.includes(t.gridId))

/** A volunteer is reached at their bound contact, whatever name others take. */
export function draftToVolunteer(v: Volunteer, key: string, text: string): OutboxDraft {
  const payload = v.wechatContactId ? { contactId: v.wechatContactId, remark: v.wechatRemark } : undefined
  return { dedupeKey: `${key}:vol:${v.id}`, channel: 'wechat_dm', target: v.wechat, text, priority: PRIORITY.normal, ...(payload ? { payload } : {}) }
}

/** The task inserted once per offer key (a replay returns the first), with its `offer` event. */
export async function insertTask(em: EntityManager, clock: Clock, values: Omit<VolunteerTask, 'id' | 'status' | 'volunteerId' | 'claimedAt' | 'reportedAt' | 'reportNote' | 'hours' | 'confirmedAt' | 'createdAt'>, actor: TaskActor): Promise<{ task: VolunteerTask; created: boolean }> {
  const existing = await em.findOne(VolunteerTask, { where: { offerKey: values.offerKey } })
  if (existing) return { task: existing, created: false }
  await em.createQueryBuilder().insert().into(VolunteerTask).values({
    ...values, status: 'offered', volunteerId: null, claimedAt: null, reportedAt: null, reportNote: null, hours: null, confirmedAt: null, createdAt: clock.now(),
  }).orIgnore().updateEntity(false).execute()
  const task = await em.findOneOrFail(VolunteerTask, { where: { offerKey: values.offerKey } })
  if (await em.count(VolunteerTaskEvent, { where: { taskId: task.id } })) return { task, created: false }
  await em.save(VolunteerTaskEvent, em.create(VolunteerTaskEvent, {
    taskId: task.id, type: 'offer', fromStatus: null, toStatus: 'offered', actorType: actor.type, actorId: actor.id,
    data: { source: task.source, requestId: task.requestId }, createdAt: clock.now(),
  }))
  return { task, created: true }
}

/** Sends the offer to the grid's volunteers (keyed per task and round, so a replay sends nothing twice). */
export async function sendOffer(em: EntityManager, clock: Clock, c: CommunitySnapshot, task: VolunteerTask, round: number, exceptVolunteerId?: number): Promise<number> {
  const volunteers = (await volunteersFor(em, task.communityId, task.gridId)).filter((v) => v.id !== exceptVolunteerId)
  const grid = c.grids.find((g) => g.id === task.gridId)?.name ?? null
  const building = await buildingOf(em, task)
  await enqueue(em, clock, volunteers.map((v) => draftToVolunteer(v, `task-offer:${task.id}:${round}`, offerText(task, grid, building))))
  return volunteers.length
}

async function buildingOf(em: EntityManager, task: VolunteerTask): Promise<string | null> {
  if (!task.requestId) return null
  return (await em.findOne(ServiceRequest, { where: { id: task.requestId }, select: { id: true, building: true } }))?.building ?? null
}
