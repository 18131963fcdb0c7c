import type { EntityManager } from 'typeorm'
import { In } from 'typeorm'
import type { CommunitySnapshot } from '../../src/community/snapshot.js'
import type { Category, Urgency } from '../../src/community/taxonomy.js'
import { ServiceRequest, type Staff } from '../../src/db/entities/index.js'
import { slaColor, type SlaColor } from '../../src/jobs/sla.js'
import { ACTIONABLE_STATUSES, OPEN_STATUSES, type RequestStatus } from '../../src/requests/stateMachine.js'
import { computeStats, previousWeek } from '../../src/stats/index.js'

// Read models of the console pages. Visibility is the API's: the 书记 sees the community; other staff
// see what is assigned to them and what lies in the grids they lead or deputise (policy `view`).

const DAY = 86_400_000

export const gridsLedBy = (c: CommunitySnapshot, staff: Staff) => c.grids.filter((g) => g.leaderStaffId === staff.id || g.deputyStaffId === staff.id).map((g) => g.id)

export interface RequestFilters {
  status?: RequestStatus
  category?: Category
  urgency?: Urgency
  gridId?: number
  building?: string
  from?: Date
  to?: Date
  q?: string
}

export const PAGE_SIZE = 30

/** One page of the requests the staff member may see, newest first, with the total. */
export async function listRequests(em: EntityManager, staff: Staff, c: CommunitySnapshot, f: RequestFilters, page: number, pageSize = PAGE_SIZE) {
  const qb = em.getRepository(ServiceRequest).createQueryBuilder('r').where('r.community_id = :cid', { cid: staff.communityId })
  if (staff.role !== 'secretary') {
    const grids = gridsLedBy(c, staff)
    qb.andWhere(grids.length ? '(r.assignee_staff_id = :sid OR r.grid_id IN (:...grids))' : 'r.assignee_staff_id = :sid', { sid: staff.id, grids })
  }
  if (f.status) qb.andWhere('r.status = :status', { status: f.status })
  if (f.category) qb.andWhere('r.category = :category', { category: f.category })
  if (f.urgency) qb.andWhere('r.urgency = :urgency', { urgency: f.urgency })
  if (f.gridId) qb.andWhere('r.grid_id = :gridId', { gridId: f.gridId })
  if (f.building) qb.andWhere('r.building = :building', { building: f.building })
  if (f.from) qb.andWhere('r.created_at >= :from', { from: f.from })
  if (f.to) qb.andWhere('r.created_at < :to', { to: f.to })
  if (f.q) {
    // '!' escapes: a backslash means different things to MySQL and SQLite string literals.
    const like = `%${f.q.replace(/[!%_]/g, (ch) => `!${ch}`)}%`
    qb.andWhere("(r.original_text LIKE :like ESCAPE '!' OR r.no = :no OR r.resolution_note LIKE :like ESCAPE '!')", { like, no: f.q.replace(/^#/, '') })
  }
  const [rows, total] = await qb.orderBy('r.id', 'DESC').skip((page - 1) * pageSize).take(pageSize).getManyAndCount()
  return { rows, total }
}

/** What the staff member has to act on (the 书记 also: new and returned requests waiting to be dispatched). */
export async function myTasks(em: EntityManager, staff: Staff): Promise<ServiceRequest[]> {
  const mine = await em.find(ServiceRequest, { where: { communityId: staff.communityId, assigneeStaffId: staff.id, status: In([...ACTIONABLE_STATUSES]) }, order: { id: 'ASC' }, take: 200 })
  if (staff.role !== 'secretary') return mine
  const waiting = await em.find(ServiceRequest, { where: { communityId: staff.communityId, status: In(['new', 'returned']) }, order: { id: 'ASC' }, take: 200 })
  return [...waiting, ...mine]
}

/** Open requests of the community by traffic light (whenever they were reported). */
export async function openByColor(em: EntityManager, c: CommunitySnapshot, now: Date) {
  const open = await em.find(ServiceRequest, { where: { communityId: c.community.id, status: In([...OPEN_STATUSES]) } })
  const colors: Record<SlaColor, number> = { red: 0, yellow: 0, green: 0 }
  for (const r of open) colors[slaColor(r, now, c.community.settings)]++
  return colors
}

/** The 三率 week by week: the last `weeks` full weeks (Monday to Sunday, community time) and this week so far. */
export async function weeklyTrend(em: EntityManager, c: CommunitySnapshot, now: Date, weeks = 8) {
  const thisWeekStart = previousWeek(now, c.community.timezone).to
  const out = []
  for (let k = weeks; k >= 0; k--) {
    const from = new Date(thisWeekStart.getTime() - k * 7 * DAY)
    const to = k === 0 ? now : new Date(from.getTime() + 7 * DAY)
    if (to.getTime() <= from.getTime()) continue
    const s = await computeStats(em, { communityId: c.community.id, from, to, now })
    out.push({ from: from.toISOString(), received: s.totals.received, response: s.rates.response.rate, resolution: s.rates.resolution.rate, satisfaction: s.rates.satisfaction.rate })
  }
  return out
}
