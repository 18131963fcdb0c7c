import { ConflictError } from '../errors.js'

/**
 * A visit's lifecycle: scheduled → (due passes: 敲门) overdue → (half an interval more) escalated → done;
 * the resident's own contact reschedules it; leaving the roster cancels it. This table is the only place
 * that says which action moves a visit from where to where; visits.ts guards it in SQL.
 */
export const VISIT_STATUSES = ['scheduled', 'overdue', 'escalated', 'done', 'cancelled'] as const
export type VisitStatus = (typeof VISIT_STATUSES)[number]

export const VISIT_STATUS_NAMES: Record<VisitStatus, string> = {
  scheduled: '待走访', overdue: '待敲门', escalated: '已上报书记', done: '已走访', cancelled: '已取消',
}

export const OPEN_VISIT_STATUSES: readonly VisitStatus[] = ['scheduled', 'overdue', 'escalated']

export const VISIT_TRANSITIONS = {
  flag_overdue: { from: ['scheduled'], to: 'overdue', name: '标记敲门' },
  escalate: { from: ['scheduled', 'overdue'], to: 'escalated', name: '上报书记' },
  record: { from: ['scheduled', 'overdue', 'escalated'], to: 'done', name: '走访' },
  reschedule: { from: ['scheduled', 'overdue', 'escalated'], to: 'scheduled', name: '重新计时' },
  cancel: { from: ['scheduled', 'overdue', 'escalated'], to: 'cancelled', name: '取消' },
} as const satisfies Record<string, { from: readonly VisitStatus[]; to: VisitStatus; name: string }>

export type VisitAction = keyof typeof VISIT_TRANSITIONS

export class IllegalVisitTransitionError extends ConflictError {
  constructor(visitId: number, status: VisitStatus, action: VisitAction) {
    super('illegal_visit_transition', `这次走访当前「${VISIT_STATUS_NAMES[status]}」，不能${VISIT_TRANSITIONS[action].name}`, { visitId, status, action })
  }
}
