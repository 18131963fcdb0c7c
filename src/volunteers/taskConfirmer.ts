import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { pointsRuleOf, type PointsRule } from '../community/settings.js'
import { Volunteer, type VolunteerTask } from '../db/entities/index.js'
import { enqueue } from '../outbox/outbox.js'
import { loadForConfirmer, type Confirmer } from './confirmer.js'
import { appendEntry, balanceOf } from './ledger.js'
import { draftToVolunteer, transitionTask } from './tasks.js'
import { confirmedResidentText, pointsAwardedText } from './texts.js'

/** Points a confirmed task earns under the community's rule (0 when volunteering earns none there). */
export function volunteeringPoints(rule: PointsRule, hours: number): number {
  if (!rule.earn.includes('volunteering')) return 0
  return rule.volunteering.perTask + Math.round(rule.volunteering.perHour * hours)
}

/**
 * `确认 12` from the helped resident (or the grid's staff for a resident without WeChat): the task is done, and
 * the volunteer earns points by the community's rule, written once to the ledger (keyed by the task).
 */
export async function confirmTask(em: EntityManager, clock: Clock, p: { taskId: number; communityId: number; by: Confirmer }): Promise<{ task: VolunteerTask; points: number; reply: string }> {
  const { task: before, community, actor } = await loadForConfirmer(em, p)
  const task = await transitionTask(em, clock, { taskId: before.id, action: 'confirm', actor, set: { confirmedAt: clock.now() } })
  const volunteer = await em.findOneOrFail(Volunteer, { where: { id: task.volunteerId! } })
  const hours = task.hours ?? 0
  const points = volunteeringPoints(pointsRuleOf(community.community.settings), hours)
  // Hours are recorded even where volunteering earns no points, so the digest can count them.
  const written = await appendEntry(em, clock, {
    communityId: task.communityId, holderType: 'volunteer', holderId: volunteer.id, amount: points, action: 'volunteering',
    dedupeKey: `volunteering:task:${task.id}`, taskId: task.id, requestId: task.requestId, hours,
  })
  const balance = written && written !== 'insufficient' ? written.balance : await balanceOf(em, { communityId: task.communityId, holderType: 'volunteer', holderId: volunteer.id })
  await enqueue(em, clock, [draftToVolunteer(volunteer, `task-confirm:${task.id}`, pointsAwardedText(task, points, balance))])
  return { task, points, reply: confirmedResidentText(task) }
}
