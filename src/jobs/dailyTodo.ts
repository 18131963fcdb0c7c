import { In, IsNull, type DataSource } from 'typeorm'
import type { Clock } from '../clock.js'
import { loadCommunity, secretaryOf, type CommunitySnapshot } from '../community/snapshot.js'
import { CATEGORY_NAMES, URGENCY_NAMES } from '../community/taxonomy.js'
import { Community, ServiceRequest, type Staff } from '../db/entities/index.js'
import { inTransaction } from '../db/transaction.js'
import type { Logger } from '../logger.js'
import { enqueue, PRIORITY } from '../outbox/outbox.js'
import { locationText } from '../requests/messages.js'
import { draftToStaff } from '../requests/notify.js'
import { ACTIONABLE_STATUSES } from '../requests/stateMachine.js'
import { visitsDueByLeader, visitTodoText } from '../care/todo.js'
import { localDate } from '../stats/period.js'
import { formatLocal } from '../time.js'
import type { JobRunSummary } from './types.js'

const MAX_ITEMS = 15

export interface TodoItem {
  request: ServiceRequest
  /** 签收 until accepted, then 办结; 转派 for the 书记's returned requests */
  action: '签收' | '办结' | '转派'
  deadline: Date | null
  overdue: boolean
}

/** The current deadline of a request for its owner, and whether it has passed. */
export function todoItem(request: ServiceRequest, now: Date): TodoItem {
  if (request.status === 'returned' || request.status === 'new') return { request, action: '转派', deadline: request.acceptDueAt, overdue: false }
  const accepting = !request.acceptedAt
  const deadline = accepting ? request.acceptDueAt : request.resolveDueAt
  const overdue = (!!deadline && deadline.getTime() < now.getTime()) || (!!request.resolveDueAt && request.resolveDueAt.getTime() < now.getTime())
  return { request, action: accepting ? '签收' : '办结', deadline, overdue }
}

/** Overdue first, then by deadline (earliest first); no deadline last. */
export function sortTodo(items: TodoItem[]): TodoItem[] {
  const key = (i: TodoItem) => i.deadline?.getTime() ?? Number.MAX_SAFE_INTEGER
  return [...items].sort((a, b) => Number(b.overdue) - Number(a.overdue) || key(a) - key(b) || a.request.id - b.request.id)
}

export function todoText(staff: Staff, items: TodoItem[], tz: string): string {
  const overdue = items.filter((i) => i.overdue).length
  const lines = [`【今日待办】${staff.name}，早上好！您有 ${items.length} 件工单待处理${overdue ? `，其中 ${overdue} 件已超时` : ''}：`]
  items.slice(0, MAX_ITEMS).forEach((item, n) => {
    const r = item.request
    const text = r.originalText.replace(/\s+/g, ' ').trim()
    const when = item.action === '转派' ? '待转派' : item.deadline ? `${formatLocal(item.deadline, tz)} 前${item.action}` : `待${item.action}`
    lines.push(`${n + 1}. ${item.overdue ? '⚠️已超时 ' : ''}工单 ${r.no}｜${CATEGORY_NAMES[r.category]}｜${URGENCY_NAMES[r.urgency]}｜${locationText(r)}：${text.length > 20 ? `${text.slice(0, 20)}…` : text}（${when}）`)
  })
  if (items.length > MAX_ITEMS) lines.push(`……另有 ${items.length - MAX_ITEMS} 件，可在小程序查看。`)
  // The 书记 dispatches and cancels; she does not 退单 to herself.
  lines.push(staff.role === 'secretary'
    ? '回复「转派 编号 姓名」派单，「撤销 编号 原因」撤销不是诉求的工单；自己处理的回复「完成 编号 说明」办结。'
    : '回复「接单 编号」签收，「完成 编号 说明」办结，「退单 编号 原因」退回。')
  return lines.join('\n')
}

export interface DailyTodoDeps {
  db: DataSource
  clock: Clock
  logger?: Logger
  /** decrypts the care roster for the 走访 section; without it the to-do lists requests only */
  encryptionKey?: string
}

/**
 * 08:30: each staff member with open tasks (ACTIONABLE_STATUSES assigned to them; for the 书记 also returned
 * requests waiting for 转派) gets one DM listing them, overdue first. Anyone with nothing open is skipped.
 * One message per staff per local date (dedupe key), however often the job runs.
 */
export async function runDailyTodo(deps: DailyTodoDeps, scheduledAt: Date): Promise<JobRunSummary> {
  const now = deps.clock.now()
  const communities = await deps.db.getRepository(Community).find({ select: { id: true }, order: { id: 'ASC' } })
  let sent = 0
  for (const { id } of communities) {
    const c = await loadCommunity(deps.db.manager, id)
    const tz = c.community.timezone
    const date = localDate(scheduledAt, tz)
    const tasks = await tasksByStaff(deps.db, c, now)
    const visits = deps.encryptionKey ? await visitsDueByLeader(deps.db.manager, c, now, deps.encryptionKey) : new Map()
    for (const staff of c.staff) if (visits.has(staff.id) && staff.active && ![...tasks.keys()].includes(staff)) tasks.set(staff, [])
    for (const [staff, items] of tasks) {
      const due = visits.get(staff.id)
      const text = [items.length || !due ? todoText(staff, items, tz) : `【今日待办】${staff.name}，早上好！`, due ? visitTodoText(due, tz) : ''].filter(Boolean).join('\n\n')
      const draft = draftToStaff(staff, `todo:${id}:${date}`, text, { priority: PRIORITY.normal })
      if (!draft) continue
      await inTransaction(deps.db, (em) => enqueue(em, deps.clock, [draft]))
      sent++
    }
  }
  return { acted: sent, details: { sent } }
}

async function tasksByStaff(db: DataSource, c: CommunitySnapshot, now: Date): Promise<Map<Staff, TodoItem[]>> {
  const repo = db.getRepository(ServiceRequest)
  const assigned = await repo.find({ where: { communityId: c.community.id, status: In([...ACTIONABLE_STATUSES]) }, order: { id: 'ASC' } })
  const waiting = await repo.find({ where: [
    { communityId: c.community.id, status: 'returned' },
    { communityId: c.community.id, status: 'new', assigneeStaffId: IsNull() },
  ], order: { id: 'ASC' } })
  const byStaff = new Map<Staff, TodoItem[]>()
  const add = (staff: Staff | null | undefined, r: ServiceRequest) => {
    if (!staff || !staff.active) return
    byStaff.set(staff, [...(byStaff.get(staff) ?? []), todoItem(r, now)])
  }
  for (const r of assigned) add(c.staff.find((s) => s.id === r.assigneeStaffId), r)
  const secretary = secretaryOf(c)
  for (const r of waiting) add(secretary, r)
  for (const [staff, items] of byStaff) byStaff.set(staff, sortTodo(items))
  return byStaff
}
