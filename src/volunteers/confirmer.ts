import type { EntityManager } from 'typeorm'
import { loadCommunity, type CommunitySnapshot } from '../community/snapshot.js'
import { ServiceRequest, VolunteerTask, type Resident, type Staff } from '../db/entities/index.js'
import { ForbiddenError, NotFoundError } from '../errors.js'
import type { TaskActor } from './tasks.js'

/** Who answers for the resident: the resident themselves, or the grid's staff / the assignee / the 书记 for one without WeChat. */
export type Confirmer = { type: 'resident'; resident: Resident } | { type: 'staff'; staff: Staff }

/** One-line rule: the helped resident, or staff who look after them. */
export function canConfirm(by: Confirmer, task: VolunteerTask, c: CommunitySnapshot, request: ServiceRequest | null): boolean {
  if (by.type === 'resident') return task.residentId != null && by.resident.id === task.residentId
  const s = by.staff
  if (!s.active || s.communityId !== task.communityId) return false
  const grid = c.grids.find((g) => g.id === task.gridId)
  return s.role === 'secretary' || grid?.leaderStaffId === s.id || grid?.deputyStaffId === s.id || request?.assigneeStaffId === s.id
}

/** Loads the task for a confirmation or a dispute, refusing anyone who may not answer for the resident. */
export async function loadForConfirmer(em: EntityManager, p: { taskId: number; communityId: number; by: Confirmer }) {
  const task = await em.findOne(VolunteerTask, { where: { id: p.taskId, communityId: p.communityId } })
  if (!task) throw new NotFoundError(`志愿任务 #${p.taskId}`, 'task_not_found')
  const community = await loadCommunity(em, task.communityId)
  const request = task.requestId ? await em.findOne(ServiceRequest, { where: { id: task.requestId } }) : null
  if (!canConfirm(p.by, task, community, request)) throw new ForbiddenError(`志愿任务 #${p.taskId} 不是为您办的，不能确认。`, 'task_not_yours')
  const actor: TaskActor = p.by.type === 'resident' ? { type: 'resident', id: p.by.resident.id } : { type: 'staff', id: p.by.staff.id }
  return { task, community, request, actor }
}
