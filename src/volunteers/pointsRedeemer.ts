import type { EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { Volunteer, type Staff } from '../db/entities/index.js'
import { DomainError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js'
import { appendEntry, balanceOf } from './ledger.js'

export interface RedeemPointsProps {
  communityId: number
  /** only the 书记 records redemptions */
  actor: Staff
  volunteerId: number
  points: number
  /** what was exchanged: 洗衣液一瓶 */
  note: string
  /** the message or API call: a replay redeems nothing twice */
  causeKey: string
}

/**
 * 兑换: the 书记 records that a volunteer exchanged points (for goods or services), as a negative ledger row.
 * The balance never goes below zero: the guarded UPDATE refuses what it does not cover, even when two
 * redemptions race.
 */
export async function redeemPoints(em: EntityManager, clock: Clock, p: RedeemPointsProps): Promise<{ volunteer: Volunteer; balance: number; replay: boolean }> {
  if (p.actor.role !== 'secretary' || !p.actor.active || p.actor.communityId !== p.communityId) throw new ForbiddenError('只有书记可以登记积分兑换', 'not_secretary')
  if (!Number.isInteger(p.points) || p.points <= 0 || p.points > 100_000) throw new ValidationError('兑换的积分应是正整数，例如：兑换 小李 50 洗衣液')
  const note = p.note.trim()
  if (!note) throw new ValidationError('请写明兑换了什么，例如：兑换 小李 50 洗衣液')
  const volunteer = await em.findOne(Volunteer, { where: { id: p.volunteerId, communityId: p.communityId } })
  if (!volunteer) throw new NotFoundError('志愿者', 'volunteer_not_found')
  const holder = { communityId: p.communityId, holderType: 'volunteer' as const, holderId: volunteer.id }
  const r = await appendEntry(em, clock, { ...holder, amount: -p.points, action: 'redemption', dedupeKey: `redeem:${p.causeKey}`, note, actorStaffId: p.actor.id })
  if (r === 'insufficient') {
    throw new DomainError('points_insufficient', `${volunteer.name} 只有 ${await balanceOf(em, holder)} 积分，不够兑换 ${p.points} 分。`, 409)
  }
  return { volunteer, balance: r ? r.balance : await balanceOf(em, holder), replay: r === null }
}
