import type { EntityManager } from 'typeorm'
import { In } from 'typeorm'
import { Community, RequestReporter, Resident, ServiceRequest, Staff } from '../../src/db/entities/index.js'
import type { CommunitySnapshot } from '../../src/community/snapshot.js'
import { displayName } from '../../src/requests/messages.js'
import { presentRequest, presentTask, type RequestView, type TaskView } from './request.js'

// Batch loaders for the presenters: one query per related table, never one per row.

const ids = (xs: (number | null)[]) => [...new Set(xs.filter((x): x is number => x != null))]

/**
 * A community snapshot the caller holds (the one intake confirmed in the transaction it just committed): rows
 * of that community take their settings and assignee from it, with no statement.
 */
export type KnownCommunity = Pick<CommunitySnapshot, 'community' | 'staff'>

async function context(em: EntityManager, rows: ServiceRequest[], known?: KnownCommunity) {
  const staffIds = ids(rows.map((r) => r.assigneeStaffId))
  const communityIds = ids(rows.map((r) => r.communityId))
  if (known && communityIds.every((id) => id === known.community.id) && staffIds.every((id) => known.staff.some((s) => s.id === id))) {
    return {
      assignee: (r: ServiceRequest) => known.staff.find((s) => s.id === r.assigneeStaffId) ?? null,
      settings: (_: ServiceRequest) => known.community.settings,
    }
  }
  const [staff, communities] = await Promise.all([
    staffIds.length ? em.find(Staff, { where: { id: In(staffIds) }, select: { id: true, name: true } }) : [],
    communityIds.length ? em.find(Community, { where: { id: In(communityIds) } }) : [],
  ])
  return {
    assignee: (r: ServiceRequest) => staff.find((s) => s.id === r.assigneeStaffId) ?? null,
    settings: (r: ServiceRequest) => communities.find((c) => c.id === r.communityId)?.settings,
  }
}

/** Requests as residents see them. `ownText(r)`: the viewer wrote it (else phone/ID numbers in it are masked). */
export async function presentRequests(em: EntityManager, rows: ServiceRequest[], o: { now: Date; ownText: (r: ServiceRequest) => boolean; known?: KnownCommunity }): Promise<RequestView[]> {
  const c = await context(em, rows, o.known)
  return rows.map((r) => presentRequest(r, { assignee: c.assignee(r), settings: c.settings(r), now: o.now, maskText: !o.ownText(r) }))
}

/** Requests as the staff working on them see them, with the reporter's display name and how many reported it (numbers in the text masked). */
export async function presentTasks(em: EntityManager, rows: ServiceRequest[], now: Date): Promise<TaskView[]> {
  if (!rows.length) return []
  const c = await context(em, rows)
  const reporters = await em.find(RequestReporter, { where: { requestId: In(rows.map((r) => r.id)) }, order: { id: 'ASC' } })
  const residentIds = ids(reporters.filter((x) => x.role === 'reporter').map((x) => x.residentId))
  const residents = residentIds.length ? await em.find(Resident, { where: { id: In(residentIds) }, select: { id: true, name: true, wechatName: true } }) : []
  return rows.map((r) => {
    const mine = reporters.filter((x) => x.requestId === r.id)
    const first = mine.find((x) => x.role === 'reporter')
    const resident = first ? residents.find((x) => x.id === first.residentId) : undefined
    return presentTask(r, {
      assignee: c.assignee(r), settings: c.settings(r), now,
      reporterName: resident ? displayName(resident) : null, reporterCount: mine.length,
    })
  })
}
