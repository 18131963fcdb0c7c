import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { Volunteer, VolunteerTaskEvent, type VolunteerTask } from '../db/entities/index.js'
import { enqueue } from '../outbox/outbox.js'
import { loadForConfirmer, type Confirmer } from './confirmer.js'
import { draftToVolunteer, transitionTask } from './tasks.js'
import { disputedResidentText, disputedVolunteerText } from './texts.js'

/** `没办好 12`: the resident says it was not done; the task goes back to the volunteer, who is told. No points. */
export async function disputeTask(em: EntityManager, clock: Clock, p: { taskId: number; communityId: number; by: Confirmer; words?: string | null }): Promise<{ task: VolunteerTask; reply: string }> {
  const { task: before, actor } = await loadForConfirmer(em, p)
  const task = await transitionTask(em, clock, { taskId: before.id, action: 'dispute', actor, set: { reportedAt: null }, data: { words: p.words ?? null } })
  const volunteer = await em.findOneOrFail(Volunteer, { where: { id: task.volunteerId! } })
  const round = await em.count(VolunteerTaskEvent, { where: { taskId: task.id, type: 'dispute' } })
  await enqueue(em, clock, [draftToVolunteer(volunteer, `task-dispute:${task.id}:${round}`, disputedVolunteerText(task))])
  return { task, reply: disputedResidentText(task) }
}
