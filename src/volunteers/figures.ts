import type { EntityManager } from 'typeorm'
import { Between } from 'typeorm'
import { Community, PointsAccount, PointsEntry, Volunteer, VolunteerTask } from '../db/entities/index.js'
import { localParts, zonedTime } from '../time.js'

export interface VolunteerFigures {
  volunteers: number
  /** bound their WeChat, so offers reach them */
  bound: number
  /** tasks offered / confirmed done in the period; still waiting for a volunteer now */
  offered: number
  done: number
  waiting: number
  /** hours of the tasks confirmed in the period */
  hours: number
  /** points earned in the period, by action; points redeemed in it */
  earned: { volunteering: number; verified_report: number }
  redeemed: number
  /** the month the period ends in (community time), from its first day to the period's end */
  month: { year: number; month: number; from: string; to: string }
  /** volunteers by points earned that month, most first (ties: more hours, then name) */
  ranking: { volunteerId: number; name: string; points: number; hours: number; tasks: number; balance: number }[]
}

const round1 = (n: number) => Math.round(n * 10) / 10

/**
 * 志愿者与积分 figures for [from, to): computed here once for the digest, the console and the API.
 * Names of volunteers only; nothing about the residents they helped.
 */
export async function volunteerFigures(em: EntityManager, p: { communityId: number; from: Date; to: Date }): Promise<VolunteerFigures> {
  const { timezone } = await em.findOneOrFail(Community, { where: { id: p.communityId }, select: { id: true, timezone: true } })
  const last = new Date(p.to.getTime() - 1)
  const inPeriod = Between(p.from, last)
  const volunteers = await em.find(Volunteer, { where: { communityId: p.communityId }, order: { id: 'ASC' } })
  const offered = await em.count(VolunteerTask, { where: { communityId: p.communityId, createdAt: inPeriod } })
  const waiting = await em.count(VolunteerTask, { where: { communityId: p.communityId, status: 'offered' } })
  const entries = await em.find(PointsEntry, { where: { communityId: p.communityId, createdAt: inPeriod } })
  const volunteering = entries.filter((e) => e.action === 'volunteering')
  const sum = (xs: PointsEntry[]) => xs.reduce((a, e) => a + e.amount, 0)

  const m = localParts(last, timezone)
  const monthFrom = zonedTime(timezone, m.year, m.month, 1)
  const monthEntries = await em.find(PointsEntry, { where: { communityId: p.communityId, action: 'volunteering', createdAt: Between(monthFrom, last) } })
  const accounts = await em.find(PointsAccount, { where: { communityId: p.communityId, holderType: 'volunteer' } })
  const holderOf = new Map(accounts.map((a) => [a.id, a]))
  const byVolunteer = new Map<number, { points: number; hours: number; tasks: number }>()
  for (const e of monthEntries) {
    const a = holderOf.get(e.accountId)
    if (!a) continue
    const row = byVolunteer.get(a.holderId) ?? { points: 0, hours: 0, tasks: 0 }
    row.points += e.amount
    row.hours += e.hours ?? 0
    row.tasks++
    byVolunteer.set(a.holderId, row)
  }
  const ranking = [...byVolunteer.entries()].map(([volunteerId, r]) => ({
    volunteerId, name: volunteers.find((v) => v.id === volunteerId)?.name ?? '（已停用）', points: r.points, hours: round1(r.hours), tasks: r.tasks,
    balance: accounts.find((a) => a.holderId === volunteerId)?.balance ?? 0,
  })).sort((a, b) => b.points - a.points || b.hours - a.hours || a.name.localeCompare(b.name, 'zh'))

  return {
    volunteers: volunteers.filter((v) => v.active).length,
    bound: volunteers.filter((v) => v.active && v.wechatContactId).length,
    offered, done: volunteering.length, waiting,
    hours: round1(volunteering.reduce((a, e) => a + (e.hours ?? 0), 0)),
    earned: { volunteering: sum(volunteering), verified_report: sum(entries.filter((e) => e.action === 'verified_report')) },
    redeemed: -sum(entries.filter((e) => e.action === 'redemption')),
    month: { year: m.year, month: m.month, from: monthFrom.toISOString(), to: p.to.toISOString() },
    ranking,
  }
}

const RANKING_LINES = 5

export function volunteerDigestLines(f: VolunteerFigures): string[] {
  if (!f.volunteers && !f.offered && !f.done && !f.earned.verified_report && !f.redeemed) return []
  const points = f.earned.volunteering + f.earned.verified_report
  const lines = [
    `【志愿服务】志愿者 ${f.volunteers} 人（已认证 ${f.bound} 人）；本周发出 ${f.offered} 件，完成 ${f.done} 件，志愿时长 ${f.hours} 小时；` +
    `发放爱心积分 ${points} 分${f.earned.verified_report ? `（其中居民有效反映 ${f.earned.verified_report} 分）` : ''}${f.redeemed ? `，兑换 ${f.redeemed} 分` : ''}` +
    `${f.waiting ? `；${f.waiting} 件待认领` : ''}。`,
  ]
  if (f.ranking.length) {
    lines.push(`【${f.month.month}月积分榜】` + f.ranking.slice(0, RANKING_LINES).map((r, i) => `${i + 1}. ${r.name} ${r.points} 分（${r.hours} 小时）`).join('  '))
  }
  return lines
}
