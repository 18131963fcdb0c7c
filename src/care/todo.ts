import type { EntityManager } from 'typeorm'
import { In, LessThan } from 'typeorm'
import type { CommunitySnapshot } from '../community/snapshot.js'
import { CareResident, CareVisit } from '../db/entities/index.js'
import { formatLocal, localParts, zonedTime } from '../time.js'
import { decryptDetails } from './crypto.js'
import { OPEN_VISIT_STATUSES } from './visitStateMachine.js'
import { addressText, GRADE_NAMES, type CareGrade } from './vocabulary.js'

const MAX_ITEMS = 15

export interface VisitTodoItem { visit: CareVisit; name: string; address: string; grade: CareGrade; overdue: boolean }

/** The end of the local day of `at`: visits due by then are today's. */
export function endOfLocalDay(at: Date, tz: string): Date {
  const p = localParts(at, tz)
  return zonedTime(tz, p.year, p.month, p.day + 1)
}

/** Each grid leader's visits due today or overdue, overdue first (a DM to the leader, never a group). */
export async function visitsDueByLeader(em: EntityManager, c: CommunitySnapshot, now: Date, encryptionKey: string): Promise<Map<number, VisitTodoItem[]>> {
  const tz = c.community.timezone
  const visits = await em.find(CareVisit, {
    where: { communityId: c.community.id, status: In([...OPEN_VISIT_STATUSES]), dueAt: LessThan(endOfLocalDay(now, tz)) }, order: { dueAt: 'ASC', id: 'ASC' },
  })
  if (!visits.length) return new Map()
  const roster = new Map((await em.find(CareResident, { where: { id: In(visits.map((v) => v.careResidentId)) } })).map((r) => [r.id, r]))
  const out = new Map<number, VisitTodoItem[]>()
  for (const visit of visits) {
    const cr = roster.get(visit.careResidentId)
    const leader = c.grids.find((g) => g.id === visit.gridId)?.leaderStaffId
    if (!cr || leader == null) continue
    const d = decryptDetails(cr.detailsEncrypted, encryptionKey)
    const item = { visit, name: d.name, address: addressText(d), grade: cr.grade as CareGrade, overdue: visit.dueAt.getTime() <= now.getTime() }
    out.set(leader, [...(out.get(leader) ?? []), item])
  }
  for (const [k, items] of out) out.set(k, [...items].sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.visit.dueAt.getTime() - b.visit.dueAt.getTime()))
  return out
}

/** The 走访 section of a grid leader's daily to-do. */
export function visitTodoText(items: VisitTodoItem[], tz: string): string {
  const overdue = items.filter((i) => i.overdue).length
  const lines = [`【今日走访】${items.length} 位关爱对象待走访${overdue ? `，其中 ${overdue} 位已超期未见，请上门敲门` : ''}：`]
  items.slice(0, MAX_ITEMS).forEach((i, n) => {
    const flag = i.visit.status === 'escalated' ? '⚠️已上报书记 ' : i.overdue ? '🚪需敲门 ' : ''
    lines.push(`${n + 1}. ${flag}${i.name}（${GRADE_NAMES[i.grade]}，${i.address}）${i.overdue ? '应于' : ''} ${formatLocal(i.visit.dueAt, tz)} 前走访`)
  })
  if (items.length > MAX_ITEMS) lines.push(`……另有 ${items.length - MAX_ITEMS} 位。`)
  lines.push('走访后回复「走访 姓名 情况」记录，例如：走访 张奶奶 一切正常。')
  return lines.join('\n')
}
