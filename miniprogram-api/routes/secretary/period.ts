import { z } from 'zod'
import { ValidationError } from '../../../src/errors.js'
import { localParts, zonedTime } from '../../../src/time.js'

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})$/
const DAY = 24 * 3600_000

/** A date (2026-11-23, in the community's timezone) or an ISO-8601 instant with its offset. */
export const instantParam = z.string().trim().refine((s) => DATE.test(s) || (DATETIME.test(s) && !Number.isNaN(Date.parse(s))), {
  message: 'a date such as 2026-11-23 or an ISO-8601 time with offset such as 2026-11-23T09:00:00+08:00',
})

/**
 * A date-only bound means the whole day in the community's timezone: `from` is its start,
 * `to` its end (so from=to=2026-11-23 is that one day).
 */
export function parseInstant(s: string, timeZone: string, bound: 'start' | 'end'): Date {
  const d = DATE.exec(s)
  if (d) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])]
    const start = zonedTime(timeZone, y, m, day)
    const check = localParts(start, timeZone)
    if (check.year !== y || check.month !== m || check.day !== day) throw new ValidationError(`日期 ${s} 不存在`, { value: s })
    return bound === 'start' ? start : zonedTime(timeZone, y, m, day + 1)
  }
  const t = Date.parse(s)
  if (!DATETIME.test(s) || Number.isNaN(t)) throw new ValidationError(`时间格式有误：${s}`, { value: s })
  return new Date(t)
}

export interface Period { from: Date; to: Date }

/** [from, to) from optional query bounds; the default is the `defaultDays` before now. */
export function resolvePeriod(q: { from?: string; to?: string }, o: { timeZone: string; now: Date; defaultDays: number; maxDays: number }): Period {
  const to = q.to ? parseInstant(q.to, o.timeZone, 'end') : o.now
  const from = q.from ? parseInstant(q.from, o.timeZone, 'start') : new Date(to.getTime() - o.defaultDays * DAY)
  if (from.getTime() >= to.getTime()) throw new ValidationError('开始时间必须早于结束时间', { code: 'invalid_period' })
  if (to.getTime() - from.getTime() > o.maxDays * DAY) throw new ValidationError(`时间范围不能超过 ${o.maxDays} 天`, { code: 'period_too_long', maxDays: o.maxDays })
  return { from, to }
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** 2026-11-23T09:00:00+08:00: ISO 8601 in the community's timezone, as Open311 requires (offset included). */
export function isoInZone(date: Date, timeZone: string): string {
  const p = localParts(date, timeZone)
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  const offsetMin = Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60_000)
  const sign = offsetMin < 0 ? '-' : '+'
  const abs = Math.abs(offsetMin)
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}
