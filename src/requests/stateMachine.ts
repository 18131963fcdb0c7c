import { ConflictError } from '../errors.js'

/**
 * The closed loop 上报 → 派单 → 签收 → 处置 → 办结 → 回访 → 关闭, with 退单 and 重办.
 * This table is the only place that says which action may move a request from where to where;
 * the SQL guard in lifecycle.ts enforces it atomically.
 */
export const REQUEST_STATUSES = ['new', 'dispatched', 'accepted', 'resolved', 'closed', 'returned', 'reopened', 'merged', 'cancelled'] as const
export type RequestStatus = (typeof REQUEST_STATUSES)[number]

export const STATUS_NAMES: Record<RequestStatus, string> = {
  new: '待派单',
  dispatched: '已派单',
  accepted: '已签收',
  resolved: '已办结',
  closed: '已关闭',
  returned: '已退单',
  reopened: '重办中',
  merged: '已合并',
  cancelled: '已撤销',
}

export const TRANSITIONS = {
  dispatch: { from: ['new', 'returned'], to: 'dispatched', name: '派单' },
  accept: { from: ['dispatched', 'reopened'], to: 'accepted', name: '签收' },
  // A leader may report 完成 without a separate 接单; the lifecycle then also records acceptance.
  resolve: { from: ['dispatched', 'accepted', 'reopened'], to: 'resolved', name: '办结' },
  return: { from: ['dispatched', 'accepted', 'reopened'], to: 'returned', name: '退单' },
  transfer: { from: ['dispatched', 'accepted', 'reopened'], to: 'dispatched', name: '转派' },
  close: { from: ['resolved'], to: 'closed', name: '关闭' },
  // A co-reporter's "still broken" may come after another reporter's answer closed it.
  reopen: { from: ['resolved', 'closed'], to: 'reopened', name: '重办' },
  // A duplicate may be found after it was signed for, so accepted and reopened requests merge too.
  merge: { from: ['new', 'dispatched', 'accepted', 'returned', 'reopened'], to: 'merged', name: '合并' },
  cancel: { from: ['new', 'dispatched', 'accepted', 'returned', 'reopened'], to: 'cancelled', name: '撤销' },
} as const satisfies Record<string, { from: readonly RequestStatus[]; to: RequestStatus; name: string }>

export type RequestAction = keyof typeof TRANSITIONS

/** Statuses in which the problem is still being worked on: new reports of it are merged into it. */
export const OPEN_STATUSES: readonly RequestStatus[] = ['new', 'dispatched', 'accepted', 'returned', 'reopened']
/** Statuses a staff member still has to act on. */
export const ACTIONABLE_STATUSES: readonly RequestStatus[] = ['dispatched', 'accepted', 'reopened']

export function canTransition(status: RequestStatus, action: RequestAction): boolean {
  return (TRANSITIONS[action].from as readonly RequestStatus[]).includes(status)
}

export class IllegalTransitionError extends ConflictError {
  constructor(no: string, status: RequestStatus, action: RequestAction) {
    super('illegal_transition', `工单 ${no} 当前「${STATUS_NAMES[status]}」，不能${TRANSITIONS[action].name}`, { no, status, action })
  }
}
