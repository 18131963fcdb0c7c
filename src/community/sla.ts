import chineseDays from 'chinese-days'
import { localParts, zonedTime } from '../time.js'
import type { CommunitySettings, SlaWindow } from './settings.js'
import type { Urgency } from './taxonomy.js'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const DEFAULT_TZ = 'Asia/Shanghai'

/** Defaults by urgency: 签收 (accept) and 办结 (resolve) windows. */
export const DEFAULT_SLA: Record<Urgency, SlaWindow> = {
  urgent: { acceptMs: 15 * MIN, resolveMs: 2 * HOUR },
  high: { acceptMs: 1 * HOUR, resolveMs: 24 * HOUR },
  normal: { acceptMs: 4 * HOUR, resolveMs: 72 * HOUR },
  low: { acceptMs: 24 * HOUR, resolveMs: 7 * 24 * HOUR },
}

/**
 * Urgent and high requests run around the clock; normal and low ones count Chinese working days: the clock
 * stops on weekends and public holidays and runs on 调休 make-up days (calendar from `chinese-days`, shipped
 * with the package, no network).
 */
export const countsWorkingDays = (urgency: Urgency) => urgency === 'normal' || urgency === 'low'

export function slaFor(urgency: Urgency, settings?: Pick<CommunitySettings, 'sla'>): SlaWindow {
  return { ...DEFAULT_SLA[urgency], ...(settings?.sla?.[urgency] ?? {}) }
}

const pad = (n: number) => String(n).padStart(2, '0')

/** Is this local calendar day a working day (调休 Saturdays are; 国庆 weekdays are not)? */
export function isWorkingDay(at: Date, tz = DEFAULT_TZ): boolean {
  const p = localParts(at, tz)
  return chineseDays.isWorkday(`${p.year}-${pad(p.month)}-${pad(p.day)}`)
}

/** Local midnight starting the day after `at`'s local day. */
function nextLocalMidnight(at: Date, tz: string): Date {
  const p = localParts(at, tz)
  const noon = zonedTime(tz, p.year, p.month, p.day, 12)
  const q = localParts(new Date(noon.getTime() + DAY), tz)
  return zonedTime(tz, q.year, q.month, q.day)
}

/**
 * `from` plus `ms` of working time: time on non-working days (local midnight to midnight) does not count.
 * A report on 国庆 starts its clock at 00:00 of the first working day after.
 */
export function addWorkingTime(from: Date, ms: number, tz = DEFAULT_TZ): Date {
  let t = from
  let left = ms
  // Bounded: a year of days is far beyond any SLA window.
  for (let i = 0; i < 400; i++) {
    const end = nextLocalMidnight(t, tz)
    if (isWorkingDay(t, tz)) {
      const span = end.getTime() - t.getTime()
      if (left <= span) return new Date(t.getTime() + left)
      left -= span
    }
    t = end
  }
  return new Date(from.getTime() + ms)
}

/** When a window that starts at `from` ends, by the clock that applies to this urgency. */
export function slaDueAt(urgency: Urgency, from: Date, ms: number, tz = DEFAULT_TZ): Date {
  return countsWorkingDays(urgency) ? addWorkingTime(from, ms, tz) : new Date(from.getTime() + ms)
}

export function deadlines(urgency: Urgency, from: Date, settings?: Pick<CommunitySettings, 'sla'>, tz = DEFAULT_TZ) {
  const w = slaFor(urgency, settings)
  return { acceptDueAt: slaDueAt(urgency, from, w.acceptMs, tz), resolveDueAt: slaDueAt(urgency, from, w.resolveMs, tz) }
}

/** Human Chinese for a window: 15分钟, 2小时, 3天. */
export function describeDuration(ms: number): string {
  if (ms % (24 * HOUR) === 0) return `${ms / (24 * HOUR)}天`
  if (ms % HOUR === 0) return `${ms / HOUR}小时`
  return `${Math.round(ms / MIN)}分钟`
}

/** A window as residents and staff read it, saying which clock applies: "2小时内", "3个工作日内", "4个工作小时内". */
export function describeWindow(urgency: Urgency, ms: number): string {
  if (!countsWorkingDays(urgency)) return `${describeDuration(ms)}内`
  if (ms % DAY === 0) return `${ms / DAY}个工作日内`
  if (ms % HOUR === 0) return `${ms / HOUR}个工作小时内`
  return `${Math.round(ms / MIN)}个工作分钟内`
}

/** "预计 4个工作小时内响应、3个工作日内办结（节假日顺延）" / "预计 15分钟内响应、2小时内办结" */
export function expectationText(urgency: Urgency, settings?: Pick<CommunitySettings, 'sla'>): string {
  const w = slaFor(urgency, settings)
  return `预计 ${describeWindow(urgency, w.acceptMs)}响应、${describeWindow(urgency, w.resolveMs)}办结${countsWorkingDays(urgency) ? '（节假日顺延）' : ''}`
}
