import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { loadCommunity, secretaryOf, staffById } from '../community/snapshot.js'
import { URGENCY_NAMES, type Urgency } from '../community/taxonomy.js'
import { Resident, type VolunteerTask } from '../db/entities/index.js'
import { DomainError, ValidationError } from '../errors.js'
import { enqueue } from '../outbox/outbox.js'
import { draftToStaff } from '../requests/notify.js'
import { insertTask, sendOffer } from './tasks.js'
import { wishForStaffText } from './texts.js'
import { isLowRisk, taskKindOf } from './vocabulary.js'

export interface PostWishProps {
  communityId: number
  residentId: number
  /** what the resident wished for, after `心愿` */
  text: string
  /** the classifier's reading of the words: anything urgent or 较急 is not a wish for volunteers */
  urgency: Urgency
  /** the grid the resident lives in (from their building), or null: then every volunteer of the community */
  gridId: number | null
  /** where the resident lives, as far as it is known (shown to the grid leader), or null */
  place?: { building: string | null; unit: string | null; room: string | null } | null
  /** the message that posted it: a replay posts nothing twice */
  causeKey: string
}

export class WishTooUrgentError extends DomainError {}

/**
 * `心愿 …` (微心愿): a resident's small wish, offered at once to the bound volunteers of their grid, and the
 * grid leader told. Nothing urgent is ever offered: an urgent or 较急 wish is refused here (the bot files it
 * as a request for staff instead). Returns the task and how many volunteers were told.
 */
export async function postWish(em: EntityManager, clock: Clock, p: PostWishProps): Promise<{ task: VolunteerTask; created: boolean; volunteers: number }> {
  const text = p.text.trim()
  if (!text) throw new ValidationError('心愿内容不能为空')
  if (!isLowRisk(p.urgency)) throw new WishTooUrgentError('task_too_urgent', `这件事「${URGENCY_NAMES[p.urgency]}」，不能只等志愿者，已转给工作人员处理。`, 409)
  const resident = await em.findOneOrFail(Resident, { where: { id: p.residentId } })
  const community = await loadCommunity(em, p.communityId)
  const { task, created } = await insertTask(em, clock, {
    communityId: p.communityId, gridId: p.gridId, source: 'wish', offerKey: `wish:${p.causeKey}`, requestId: null, residentId: resident.id,
    kind: taskKindOf(text), description: `微心愿：${text}`.slice(0, 500), urgency: p.urgency, offeredByStaffId: null,
  }, { type: 'resident', id: resident.id })
  if (!created) return { task, created, volunteers: 0 }
  const volunteers = await sendOffer(em, clock, community, task, 0)
  const grid = community.grids.find((g) => g.id === p.gridId)
  // The resident is promised that the grid leader follows it up: with no grid (or no leader) known, the 书记.
  const leader = staffById(community, grid?.leaderStaffId) ?? staffById(community, grid?.deputyStaffId) ?? secretaryOf(community)
  const draft = draftToStaff(leader, `wish:${task.id}`, wishForStaffText(task, resident.name ?? resident.wechatName ?? '居民', volunteers, p.place ?? null))
  if (draft) await enqueue(em, clock, [draft])
  return { task, created, volunteers }
}
