import { z } from 'zod'
import { CATEGORY_NAMES, isCategory } from '../../src/community/taxonomy.js'
import type { RequestEvent, Resident, Staff } from '../../src/db/entities/index.js'
import { RATING_NAMES } from '../../src/requests/feedback.js'
import { displayName } from '../../src/requests/messages.js'
import { maskPersonalText } from '../../src/requests/privacy.js'
import { STATUS_NAMES, type RequestStatus } from '../../src/requests/stateMachine.js'

export const eventView = z.object({
  id: z.number().int(),
  type: z.string(),
  label: z.string(),
  at: z.string(),
  actor: z.object({ kind: z.enum(['resident', 'staff', 'system']), name: z.string() }),
  status: z.string().nullable(),
  statusName: z.string().nullable(),
  /** the words that go with the step (a resolution note, a comment, a return reason for staff) */
  note: z.string().nullable(),
  photos: z.array(z.number().int()).optional(),
})
export type EventView = z.infer<typeof eventView>

export interface TimelineViewer {
  /** staff see internal steps (reminders, return reasons, triage) and residents' names; residents do not */
  kind: 'resident' | 'staff'
  residentId: number | null
  /** the viewer's staff id, if any: a staff member's own notes are shown as written */
  staffId?: number | null
}

/** The viewer wrote this event's words (their own comment, rating words or resolution note). */
const wroteIt = (e: RequestEvent, v: TimelineViewer) => e.actorId != null
  && ((e.actorType === 'resident' && e.actorId === v.residentId) || (e.actorType === 'staff' && v.staffId != null && e.actorId === v.staffId))

export interface TimelineLookup {
  staff: Map<number, Pick<Staff, 'name'>>
  residents: Map<number, Pick<Resident, 'name' | 'wechatName'>>
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null)
const rating = (v: unknown) => (typeof v === 'string' && v in RATING_NAMES ? RATING_NAMES[v as keyof typeof RATING_NAMES] : null)

type Rule = { label: (e: RequestEvent, who: string, l: TimelineLookup) => string; note?: (e: RequestEvent, v: TimelineViewer) => string | null; staffOnly?: true }

/** The whitelist: event type → Chinese label and the one field that may be shown. Anything else is not shown to residents. */
const RULES: Record<string, Rule> = {
  created: { label: () => '提交诉求' },
  dispatch: { label: (e, _w, l) => { const to = Number(e.data?.assigneeStaffId ?? e.data?.to); return l.staff.get(to) ? `已派单给${l.staff.get(to)!.name}` : '已派单' } },
  accept: { label: (_e, who) => `${who}已签收` },
  resolve: { label: (_e, who) => `${who}已办结`, note: (e) => str(e.data?.note) },
  return: { label: () => '已退回社区重新派单', note: (e, v) => (v.kind === 'staff' ? str(e.data?.reason) : null) },
  transfer: { label: (e, _w, l) => { const to = Number(e.data?.to); return l.staff.get(to) ? `已转派给${l.staff.get(to)!.name}` : '已转派' } },
  close: { label: (e) => (rating(e.data?.rating) ? `已关闭（${rating(e.data?.rating)}）` : '已关闭') },
  reopen: { label: () => '重新办理', note: (e) => str(e.data?.words) },
  callback_answered: { label: (e) => `回访评价：${rating(e.data?.rating) ?? '已评价'}`, note: (e) => str(e.data?.words) },
  comment: { label: (_e, who) => `${who}留言`, note: (e) => str(e.data?.text) },
  photos: { label: (_e, who) => `${who}上传了照片` },
  co_reported: { label: () => '其他居民也反映了此问题' },
  merged_in: { label: () => '合并了重复反映的工单' },
  merge: { label: (e) => (str(e.data?.into) ? `已合并到工单 ${e.data!.into}` : '已合并') },
  cancel: { label: (e) => (e.data?.kind === 'withdrawn' ? '居民已撤销' : e.data?.kind === 'not_a_request' ? '已撤销（不是诉求）' : '已撤销'), note: (e, v) => (v.kind === 'staff' ? str(e.data?.reason) : null) },
  location_set: { label: (e) => (str(e.data?.text) ? `位置更正为${e.data!.text}` : '位置已更正') },
  split: { label: (e) => (Array.isArray(e.data?.into) ? `已拆分出工单 ${(e.data!.into as unknown[]).filter((x) => typeof x === 'string').join('、')}` : '已拆分') },
  split_from: { label: (e) => (str(e.data?.from) ? `由工单 ${e.data!.from} 拆分而来` : '由其他工单拆分而来') },
  triaged: { label: (e) => { const c = (e.data?.to as { category?: unknown } | undefined)?.category; return isCategory(c) ? `分类确认为「${CATEGORY_NAMES[c]}」` : '分类已确认' }, staffOnly: true },
  callback_scheduled: { label: () => '已安排回访', staffOnly: true },
  callback_asked: { label: () => '已发出回访', staffOnly: true },
  callback_reminded: { label: () => '已提醒回访', staffOnly: true },
  callback_withdrawn: { label: () => '回访取消（其他居民反映未解决，已重办）', staffOnly: true },
  callback_no_answer: { label: () => '回访未回复', staffOnly: true },
  sla_reminder: { label: () => '超时提醒', staffOnly: true },
  sla_escalation: { label: () => '超时催办', staffOnly: true },
}

/** One timeline entry, or null when the viewer may not see it. */
export function presentEvent(e: RequestEvent, viewer: TimelineViewer, l: TimelineLookup): EventView | null {
  const rule = RULES[e.type]
  if (!rule && viewer.kind !== 'staff') return null
  if (rule?.staffOnly && viewer.kind !== 'staff') return null
  let actorName = '系统'
  if (e.actorType === 'staff') actorName = (e.actorId != null ? l.staff.get(e.actorId)?.name : null) ?? '工作人员'
  if (e.actorType === 'resident') {
    actorName = e.actorId != null && e.actorId === viewer.residentId ? '我'
      : viewer.kind === 'staff' ? displayName(e.actorId != null ? l.residents.get(e.actorId) : null) : '居民'
  }
  const note = rule?.note?.(e, viewer) ?? null
  const photos = e.type === 'photos' && Array.isArray(e.data?.attachmentIds) ? (e.data!.attachmentIds as unknown[]).filter((x): x is number => Number.isInteger(x)) : undefined
  return {
    id: e.id,
    type: e.type,
    label: rule ? rule.label(e, actorName, l) : '其他操作',
    at: e.createdAt.toISOString(),
    actor: { kind: e.actorType, name: actorName },
    status: e.toStatus,
    statusName: e.toStatus && e.toStatus in STATUS_NAMES ? STATUS_NAMES[e.toStatus as RequestStatus] : null,
    // Nobody, staff included, sees a phone or ID number in someone else's words.
    note: note && !wroteIt(e, viewer) ? maskPersonalText(note) : note,
    ...(photos ? { photos } : {}),
  }
}
