import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { loadCommunity, staffById } from '../community/snapshot.js'
import { Resident, ServiceRequest, VolunteerTask, type Volunteer } from '../db/entities/index.js'
import { ForbiddenError, NotFoundError } from '../errors.js'
import { OPEN_STATUSES } from '../requests/stateMachine.js'
import { enqueue } from '../outbox/outbox.js'
import { draftToResident, draftToStaff } from '../requests/notify.js'
import { mayTake, transitionTask } from './tasks.js'
import { claimedForStaffText, claimedText, taskRequestClosedText, wishClaimedResidentText } from './texts.js'

/**
 * `认领 12`: the first volunteer to claim an offered task gets it. The claim is a guarded UPDATE
 * (status = offered), so of two volunteers claiming at once exactly one wins; the other gets
 * IllegalTaskTransitionError saying it is taken. The winner is told where and whom; the grid leader (and, for a
 * wish, the resident) learn who took it.
 */
export async function claimTask(em: EntityManager, clock: Clock, p: { taskId: number; volunteer: Volunteer }): Promise<{ task: VolunteerTask; reply: string }> {
  const before = await em.findOne(VolunteerTask, { where: { id: p.taskId, communityId: p.volunteer.communityId } })
  if (!before) throw new NotFoundError(`志愿任务 #${p.taskId}`, 'task_not_found')
  if (!mayTake(p.volunteer, before)) throw new ForbiddenError(`志愿任务 #${p.taskId} 不在您服务的网格，不能认领。`, 'task_other_grid')
  // The request was finished (or cancelled) by staff meanwhile: the offer ends instead of sending someone.
  const handled = before.requestId && before.status === 'offered' ? await em.findOne(ServiceRequest, { where: { id: before.requestId } }) : null
  if (handled && !OPEN_STATUSES.includes(handled.status)) {
    const task = await transitionTask(em, clock, { taskId: before.id, action: 'cancel', actor: { type: 'system', id: null }, data: { requestStatus: handled.status } })
    return { task, reply: taskRequestClosedText(before) }
  }
  const task = await transitionTask(em, clock, {
    taskId: p.taskId, action: 'claim', actor: { type: 'volunteer', id: p.volunteer.id },
    set: { volunteerId: p.volunteer.id, claimedAt: clock.now() },
  })
  const community = await loadCommunity(em, task.communityId)
  const request = task.requestId ? await em.findOne(ServiceRequest, { where: { id: task.requestId } }) : null
  const resident = task.residentId ? await em.findOne(Resident, { where: { id: task.residentId } }) : null
  const grid = community.grids.find((g) => g.id === task.gridId)
  const leader = staffById(community, grid?.leaderStaffId)
  const place = request ? { building: request.building, unit: request.unit, room: request.roomNo } : { building: resident?.building ?? null, unit: resident?.unit ?? null, room: resident?.room ?? null }
  const contact = resident ? (resident.name || resident.wechatName) : null
  const staffToTell = staffById(community, request?.assigneeStaffId) ?? leader
  const drafts = [draftToStaff(staffToTell, `task-claim:${task.id}`, claimedForStaffText(task, p.volunteer))]
  if (task.source === 'wish' && resident) drafts.push(draftToResident(resident, `task-claim:${task.id}`, wishClaimedResidentText(task, p.volunteer)))
  await enqueue(em, clock, drafts.filter((d) => d !== null))
  return { task, reply: claimedText(task, place, contact, leader?.name ?? null) }
}

