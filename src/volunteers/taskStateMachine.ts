import { ConflictError } from '../errors.js'

/**
 * A volunteer task's lifecycle (微心愿 / 志愿服务): offered → (认领) claimed → (完成) reported → (the resident
 * confirms) confirmed; the resident saying it was not done sends it back to claimed; the volunteer can give it
 * up (back to offered); staff can cancel it while nobody has done it. This table is the only place that says
 * which action moves a task from where to where; tasks.ts guards it in SQL.
 */
export const TASK_STATUSES = ['offered', 'claimed', 'reported', 'confirmed', 'cancelled'] as const
export type TaskStatus = (typeof TASK_STATUSES)[number]

export const TASK_STATUS_NAMES: Record<TaskStatus, string> = {
  offered: '待认领', claimed: '已认领', reported: '待居民确认', confirmed: '已完成', cancelled: '已取消',
}

export const OPEN_TASK_STATUSES: readonly TaskStatus[] = ['offered', 'claimed', 'reported']

export const TASK_TRANSITIONS = {
  claim: { from: ['offered'], to: 'claimed', name: '认领' },
  release: { from: ['claimed'], to: 'offered', name: '放弃' },
  report: { from: ['claimed'], to: 'reported', name: '报告完成' },
  confirm: { from: ['reported'], to: 'confirmed', name: '确认完成' },
  dispute: { from: ['reported'], to: 'claimed', name: '退回' },
  cancel: { from: ['offered', 'claimed'], to: 'cancelled', name: '取消' },
} as const satisfies Record<string, { from: readonly TaskStatus[]; to: TaskStatus; name: string }>

export type TaskAction = keyof typeof TASK_TRANSITIONS

export class IllegalTaskTransitionError extends ConflictError {
  constructor(taskId: number, status: TaskStatus, action: TaskAction) {
    super(
      status === 'claimed' && action === 'claim' ? 'task_already_claimed' : 'illegal_task_transition',
      status !== 'offered' && action === 'claim'
        ? `志愿任务 #${taskId} 已经被其他志愿者认领了，谢谢您！有新任务会再通知您。`
        : `志愿任务 #${taskId} 当前「${TASK_STATUS_NAMES[status]}」，不能${TASK_TRANSITIONS[action].name}`,
      { taskId, status, action },
    )
  }
}
