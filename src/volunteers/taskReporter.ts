import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { loadCommunity, secretaryOf, staffById } from '../community/snapshot.js'
import { pointsRuleOf } from '../community/settings.js'
import { Resident, ServiceRequest, type Volunteer, type VolunteerTask } from '../db/entities/index.js'
import { enqueue } from '../outbox/outbox.js'
import { draftToResident, draftToStaff } from '../requests/notify.js'
import { transitionTask } from './tasks.js'
import { confirmAskStaffText, confirmAskText, reportedText } from './texts.js'
import { hoursIn } from './vocabulary.js'

/**
 * `完成 12 1小时 药已送到`: the volunteer who claimed the task reports it done, with the hours spent (or the
 * community's default). The resident is asked to confirm; one who cannot be reached on WeChat is confirmed by
 * the grid's staff after a call. Points wait for that confirmation.
 */
export async function reportTaskDone(em: EntityManager, clock: Clock, p: { taskId: number; volunteer: Volunteer; note: string | null }): Promise<{ task: VolunteerTask; reply: string }> {
  const community = await loadCommunity(em, p.volunteer.communityId)
  const rule = pointsRuleOf(community.community.settings)
  const hours = hoursIn(p.note) ?? rule.defaultHours
  const task = await transitionTask(em, clock, {
    taskId: p.taskId, action: 'report', actor: { type: 'volunteer', id: p.volunteer.id }, onlyVolunteerId: p.volunteer.id,
    set: { reportedAt: clock.now(), reportNote: p.note?.slice(0, 500) ?? null, hours }, data: { hours },
  })
  const resident = task.residentId ? await em.findOne(Resident, { where: { id: task.residentId } }) : null
  const round = task.reportedAt!.getTime()
  const toResident = resident ? draftToResident(resident, `task-report:${task.id}:${round}`, confirmAskText(task, p.volunteer.name), { priority: 5 }) : null
  if (toResident) {
    await enqueue(em, clock, [toResident])
  } else {
    const request = task.requestId ? await em.findOne(ServiceRequest, { where: { id: task.requestId } }) : null
    const grid = community.grids.find((g) => g.id === task.gridId)
    const staff = staffById(community, request?.assigneeStaffId) ?? staffById(community, grid?.leaderStaffId) ?? secretaryOf(community)
    const draft = draftToStaff(staff, `task-report:${task.id}:${round}`, confirmAskStaffText(task, p.volunteer.name))
    if (draft) await enqueue(em, clock, [draft])
  }
  return { task, reply: reportedText(task, hours, toResident !== null) }
}
