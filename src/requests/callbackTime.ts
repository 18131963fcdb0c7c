import type { CallbackRule } from '../community/settings.js'
import { localParts, zonedTime } from '../time.js'

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** True when the local time falls in the quiet hours (21:00–08:00 by default), when no one is disturbed. */
export function inQuietHours(at: Date, tz: string, rule: Pick<CallbackRule, 'quietStart' | 'quietEnd'>): boolean {
  const p = localParts(at, tz)
  const m = p.hour * 60 + p.minute
  const start = minutesOf(rule.quietStart), end = minutesOf(rule.quietEnd)
  return start > end ? m >= start || m < end : m >= start && m < end
}

/** Moves a time out of the quiet hours to the next quiet-end (08:00) in the community's timezone. */
export function outOfQuietHours(at: Date, tz: string, rule: Pick<CallbackRule, 'quietStart' | 'quietEnd'>): Date {
  if (!inQuietHours(at, tz, rule)) return at
  const p = localParts(at, tz)
  const end = minutesOf(rule.quietEnd)
  let candidate = zonedTime(tz, p.year, p.month, p.day, Math.floor(end / 60), end % 60)
  if (candidate.getTime() <= at.getTime()) candidate = new Date(candidate.getTime() + 24 * 3600_000)
  // Re-anchor at local quiet-end in case the day addition crossed an offset change.
  const q = localParts(candidate, tz)
  return zonedTime(tz, q.year, q.month, q.day, Math.floor(end / 60), end % 60)
}

/** When the 回访 callback is due: resolvedAt + delay, never in quiet hours. */
export function callbackDueAt(resolvedAt: Date, tz: string, rule: CallbackRule): Date {
  return outOfQuietHours(new Date(resolvedAt.getTime() + rule.delayMinutes * 60_000), tz, rule)
}
