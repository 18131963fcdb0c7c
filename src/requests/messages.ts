import { countsWorkingDays } from '../community/sla.js'
import { CATEGORY_NAMES, URGENCY_NAMES } from '../community/taxonomy.js'
import type { Resident, ServiceRequest, Staff } from '../db/entities/index.js'
import { formatLocal } from '../time.js'
import { maskPersonalText } from './privacy.js'

// Chinese texts of the closed loop, in one place so the bot, the API and the jobs say the same thing.

export function locationText(r: Pick<ServiceRequest, 'building' | 'unit' | 'roomNo'>): string {
  const parts = [r.building ? `${r.building}号楼` : '', r.unit ? `${r.unit}单元` : '', r.roomNo ? `${r.roomNo}室` : '']
  return parts.join('') || '未注明'
}

/** A name with its role after it (赵 → 赵书记), not doubled when the name already ends with it (赵书记 stays 赵书记). */
export const withTitle = (name: string, title: string) => (name.endsWith(title) ? name : `${name}${title}`)

export const displayName = (p: Pick<Resident, 'name' | 'wechatName'> | null | undefined) => p?.name || p?.wechatName || '居民'

/** How much of a report a task DM quotes; the request keeps the full text (工单详情). */
export const TASK_TEXT_MAX = 500

/** A report as a task DM quotes it: whole when short, else its start and an explicit marker with the full length. */
export function taskContentText(text: string): string {
  const chars = Array.from(text)
  return chars.length <= TASK_TEXT_MAX ? text : `${chars.slice(0, TASK_TEXT_MAX).join('')}…（全文共 ${chars.length} 字，见工单详情）`
}

export function newTaskText(r: ServiceRequest, tz: string, reporter: string, via: string, forSecretary = false): string {
  return [
    `【新工单 ${r.no}】${CATEGORY_NAMES[r.category]}｜${URGENCY_NAMES[r.urgency]}`,
    `内容：${taskContentText(r.originalText)}`,
    `位置：${locationText(r)}`,
    `报告人：${reporter}（${via}）`,
    r.acceptDueAt ? `请在 ${formatLocal(r.acceptDueAt, tz)} 前签收，${r.resolveDueAt ? formatLocal(r.resolveDueAt, tz) : ''} 前办结${slaClockNote(r)}。` : '',
    r.needsTriage ? '（分类待书记确认）' : '',
    taskCommandsText(r, forSecretary),
  ].filter(Boolean).join('\n')
}

/** Which clock the deadlines run on: working days for normal/low, around the clock for urgent/high. */
export const slaClockNote = (r: Pick<ServiceRequest, 'urgency'>) => (countsWorkingDays(r.urgency) ? '（按工作日计，节假日顺延）' : '（全天候计时）')

/** Posted back to a group: names only, personal numbers masked. */
export function acknowledgementText(r: ServiceRequest, assignee: Staff | null, expectation: string): string {
  const who = assignee ? `由${assignee.role === 'secretary' ? '社区书记' : assignee.role === 'grid_leader' ? '网格员' : '社区工作人员'}${assignee.name}负责` : '社区将尽快安排人员'
  return maskPersonalText(`已收到您反映的问题，工单号 ${r.no}（${CATEGORY_NAMES[r.category]}），${who}，${expectation}。可私聊我发送「进度」查询。`)
}

export const acceptedText = (r: ServiceRequest, staff: Staff | null) =>
  `您反映的问题（工单 ${r.no}）已由${staff?.name ?? '工作人员'}签收，正在处理。`
export const resolvedText = (r: ServiceRequest, staff: Staff | null, note: string | null) =>
  `您反映的问题（工单 ${r.no}）已由${staff?.name ?? '工作人员'}办结${note ? `：${note.replace(/[。.!！]+$/, '')}。` : '。'}稍后我们会回访，请您评价。`
export const returnedText = (r: ServiceRequest, staff: Staff | null, reason: string) =>
  `【退单】工单 ${r.no}（${CATEGORY_NAMES[r.category]}）被${staff?.name ?? '工作人员'}退回，原因：${reason}\n内容：${taskContentText(r.originalText)}\n请重新派单：回复「转派 ${r.no} 姓名」。`
export const reopenedText = (r: ServiceRequest, words: string | null) =>
  `【重办】工单 ${r.no} 居民回访不满意${words ? `：“${words}”` : ''}，请重新处理。回复「接单 ${r.no}」签收。`

// Case commands (撤销, 合并, 拆分, 位置): what the people concerned are told.
export const withdrawnStaffText = (r: ServiceRequest, reason: string | null) =>
  `【撤销】工单 ${r.no} 已由居民撤销${reason ? `（${reason}）` : ''}，您无需再处理。`
export const cancelledReporterText = (r: ServiceRequest, kind: 'not_a_request' | 'invalid', reason: string) =>
  kind === 'not_a_request'
    ? `您的消息（工单 ${r.no}）经社区核实不是需要办理的问题，已撤销登记：${reason}。如有问题需要处理，请直接告诉我。`
    : `工单 ${r.no} 已由社区撤销：${reason}。如有疑问，请联系网格员。`
export const cancelledStaffText = (r: ServiceRequest, by: string, reason: string) => `【撤销】工单 ${r.no} 已被${by}撤销：${reason}。您无需再处理。`
export const mergedReporterText = (r: ServiceRequest, into: ServiceRequest) =>
  `您反映的问题（工单 ${r.no}）与工单 ${into.no} 是同一件事，已合并到工单 ${into.no} 办理，进展和回访会按工单 ${into.no} 通知您。`
export const mergedStaffText = (r: ServiceRequest, into: ServiceRequest) => `工单 ${r.no} 已合并到工单 ${into.no}，请按工单 ${into.no} 处理。`
export const splitReporterText = (r: ServiceRequest, parts: ServiceRequest[]) =>
  `您反映的问题（工单 ${r.no}）包含几件事，已另行登记为工单 ${parts.map((p) => p.no).join('、')} 分别办理。`
/** The last line of the task DM a location correction re-routes to a new owner (the source line keeps the source). */
export const RELOCATED_TASK_NOTE = '（因位置更正改派给您）'
export const TRIAGED_TASK_NOTE = '（书记分诊后改派给您）'
export const relocatedStaffText = (r: ServiceRequest, to: string) => `工单 ${r.no} 的位置已更正为${locationText(r)}，已改派给${to}，您无需再处理。`

/** A staff member's own 上报 (巡查上报 / 代报): acknowledged as theirs, with what happens next. */
export function staffReportAckText(r: ServiceRequest, assignee: Staff | null, selfAssigned: boolean, expectation: string): string {
  if (selfAssigned) return `已登记您上报的问题，工单号 ${r.no}（${CATEGORY_NAMES[r.category]}），归您负责，已为您签收（${expectation}）。处理完回复「完成 ${r.no} 处理说明」。`
  return `已登记您上报的问题，工单号 ${r.no}（${CATEGORY_NAMES[r.category]}），已派给${assignee?.name ?? '书记'}处理（${expectation}）。`
}

/** The last line of a task message: the 书记 (dispatcher) re-dispatches and cancels, an assignee signs, finishes or returns. */
export function taskCommandsText(r: ServiceRequest, forSecretary: boolean): string {
  return forSecretary
    ? `回复「接单 ${r.no}」自己处理，「转派 ${r.no} 姓名」派给他人，「撤销 ${r.no} 原因」撤销（不是诉求或无效）。`
    : `回复「接单 ${r.no}」签收，「完成 ${r.no} 说明」办结，「退单 ${r.no} 原因」退回。`
}
