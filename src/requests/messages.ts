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

export const displayName = (p: Pick<Resident, 'name' | 'wechatName'> | null | undefined) => p?.name || p?.wechatName || '居民'

export function newTaskText(r: ServiceRequest, tz: string, reporter: string, via: string): string {
  return [
    `【新工单 ${r.no}】${CATEGORY_NAMES[r.category]}｜${URGENCY_NAMES[r.urgency]}`,
    `内容：${r.originalText}`,
    `位置：${locationText(r)}`,
    `报告人：${reporter}（${via}）`,
    r.acceptDueAt ? `请在 ${formatLocal(r.acceptDueAt, tz)} 前签收，${r.resolveDueAt ? formatLocal(r.resolveDueAt, tz) : ''} 前办结${slaClockNote(r)}。` : '',
    r.needsTriage ? '（分类待书记确认）' : '',
    `回复「接单 ${r.no}」签收，「完成 ${r.no} 说明」办结，「退单 ${r.no} 原因」退回。`,
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
  `【退单】工单 ${r.no}（${CATEGORY_NAMES[r.category]}）被${staff?.name ?? '工作人员'}退回，原因：${reason}\n内容：${r.originalText}\n请重新派单：回复「转派 ${r.no} 姓名」。`
export const reopenedText = (r: ServiceRequest, words: string | null) =>
  `【重办】工单 ${r.no} 居民回访不满意${words ? `：“${words}”` : ''}，请重新处理。回复「接单 ${r.no}」签收。`
