import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { loadCommunity } from '../community/snapshot.js'
import type { Volunteer, VolunteerTask } from '../db/entities/index.js'
import { VolunteerTaskEvent } from '../db/entities/index.js'
import { sendOffer, transitionTask } from './tasks.js'

/**
 * `放弃 12`: the volunteer who claimed a task cannot do it; it goes back to offered and is offered again to the
 * grid's other volunteers (a new round, keyed so a replay sends nothing twice). Only the claimer may.
 */
export async function releaseTask(em: EntityManager, clock: Clock, p: { taskId: number; volunteer: Volunteer }): Promise<VolunteerTask> {
  const task = await transitionTask(em, clock, {
    taskId: p.taskId, action: 'release', actor: { type: 'volunteer', id: p.volunteer.id }, onlyVolunteerId: p.volunteer.id,
    set: { volunteerId: null, claimedAt: null },
  })
  const round = await em.count(VolunteerTaskEvent, { where: { taskId: task.id, type: 'release' } })
  await sendOffer(em, clock, await loadCommunity(em, task.communityId), task, round, p.volunteer.id)
  return task
}
