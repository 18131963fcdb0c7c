import { z } from 'zod'
import type { CommunitySettings } from '../../src/community/settings.js'
import { CATEGORIES, CATEGORY_NAMES, URGENCIES, URGENCY_NAMES } from '../../src/community/taxonomy.js'
import { RATINGS, type ServiceRequest, type Staff } from '../../src/db/entities/index.js'
import { slaColor } from '../../src/jobs/sla.js'
import { RATING_NAMES } from '../../src/requests/feedback.js'
import { maskPersonalText } from '../../src/requests/privacy.js'
import { REQUEST_STATUSES, STATUS_NAMES } from '../../src/requests/stateMachine.js'

export const requestView = z.object({
  id: z.number().int(),
  no: z.string(),
  status: z.enum(REQUEST_STATUSES),
  statusName: z.string(),
  category: z.enum(CATEGORIES),
  categoryName: z.string(),
  urgency: z.enum(URGENCIES),
  urgencyName: z.string(),
  building: z.string().nullable(),
  unit: z.string().nullable(),
  room: z.string().nullable(),
  text: z.string(),
  createdAt: z.string(),
  deadlines: z.object({ acceptBy: z.string().nullable(), resolveBy: z.string().nullable() }),
  assignee: z.object({ name: z.string() }).nullable(),
  rating: z.enum(RATINGS).nullable(),
  ratingName: z.string().nullable(),
  reopened: z.boolean(),
  slaColor: z.enum(['red', 'yellow', 'green']),
})
export type RequestView = z.infer<typeof requestView>

export interface RequestPresentation {
  assignee: Pick<Staff, 'name'> | null
  now: Date
  settings?: Pick<CommunitySettings, 'sla'>
  /** Mask phone and ID numbers in the text: for every viewer but its author (staff included, as in the CSV and triage queue). */
  maskText: boolean
}

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** The columns presentRequest reads (lists select only these). */
export const PRESENTED_REQUEST_FIELDS = [
  'id', 'no', 'status', 'category', 'urgency', 'building', 'unit', 'roomNo', 'originalText', 'createdAt', 'acceptDueAt', 'resolveDueAt',
  'acceptedAt', 'resolvedAt', 'closedAt', 'rating', 'reopenCount', 'communityId', 'assigneeStaffId',
] as const satisfies readonly (keyof ServiceRequest)[]
export type PresentableRequest = Pick<ServiceRequest, (typeof PRESENTED_REQUEST_FIELDS)[number]>

/**
 * A request as the mini-program shows it. An explicit whitelist: no reporter identity, no phone,
 * no openid, no internal classifier data.
 */
export function presentRequest(r: PresentableRequest, o: RequestPresentation): RequestView {
  return {
    id: r.id,
    no: r.no,
    status: r.status,
    statusName: STATUS_NAMES[r.status],
    category: r.category,
    categoryName: CATEGORY_NAMES[r.category],
    urgency: r.urgency,
    urgencyName: URGENCY_NAMES[r.urgency],
    building: r.building,
    unit: r.unit,
    room: r.roomNo,
    text: o.maskText ? maskPersonalText(r.originalText) : r.originalText,
    createdAt: r.createdAt.toISOString(),
    deadlines: { acceptBy: iso(r.acceptDueAt), resolveBy: iso(r.resolveDueAt) },
    assignee: o.assignee ? { name: o.assignee.name } : null,
    rating: r.rating,
    ratingName: r.rating ? RATING_NAMES[r.rating] : null,
    reopened: r.reopenCount > 0,
    slaColor: slaColor(r, o.now, o.settings),
  }
}

export const taskView = requestView.extend({
  reporter: z.object({ name: z.string() }).nullable(),
  reporterCount: z.number().int(),
  needsTriage: z.boolean(),
  overdue: z.boolean(),
  resolutionNote: z.string().nullable(),
})
export type TaskView = z.infer<typeof taskView>

/**
 * A request as the staff member working on it sees it: the reporter's display name (never a phone) and how late it is.
 * Phone and ID numbers in the resident's words and in the note are masked: the only phone an API response carries is
 * the caller's own, masked (the assignee's WeChat task message has the full text).
 */
export function presentTask(r: ServiceRequest, o: Omit<RequestPresentation, 'maskText'> & { reporterName: string | null; reporterCount: number }): TaskView {
  const now = o.now.getTime()
  const overdue = ['dispatched', 'accepted', 'reopened'].includes(r.status)
    && ((!r.acceptedAt && !!r.acceptDueAt && r.acceptDueAt.getTime() < now) || (!!r.resolveDueAt && r.resolveDueAt.getTime() < now))
  return {
    ...presentRequest(r, { ...o, maskText: true }),
    reporter: o.reporterName ? { name: o.reporterName } : null,
    reporterCount: o.reporterCount,
    needsTriage: r.needsTriage,
    overdue,
    resolutionNote: r.resolutionNote ? maskPersonalText(r.resolutionNote) : null,
  }
}
