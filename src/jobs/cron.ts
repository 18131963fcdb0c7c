import { localParts } from '../time.js'

// A small cron matcher so src/ (the simulator, catch-up after downtime) can list the times node-cron fires
// without importing node-cron. Fields: [second] minute hour day-of-month month day-of-week, each `*`, `?`,
// a value, a list `1,15`, a range `1-5`, a step `*/5` or `1-30/10`, month/weekday names; 0 or 7 = Sunday.
// Like node-cron, day-of-month and day-of-week must BOTH match.

export interface CronSpec {
  second: ReadonlySet<number>
  minute: ReadonlySet<number>
  hour: ReadonlySet<number>
  dayOfMonth: ReadonlySet<number>
  month: ReadonlySet<number>
  /** 0 = Sunday … 6 = Saturday */
  dayOfWeek: ReadonlySet<number>
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']

export class CronSyntaxError extends Error {
  constructor(readonly expression: string, detail: string) {
    super(`invalid cron expression "${expression}": ${detail}`)
    this.name = 'CronSyntaxError'
  }
}

function parseField(expression: string, field: string, label: string, min: number, max: number, names: string[] = [], nameBase = 0): Set<number> {
  const out = new Set<number>()
  const value = (s: string) => {
    const lower = s.toLowerCase()
    if (names.length && /^[a-z]{3,}$/.test(lower) && names.includes(lower.slice(0, 3))) return names.indexOf(lower.slice(0, 3)) + nameBase
    if (!/^\d+$/.test(s)) throw new CronSyntaxError(expression, `${label}: "${s}" is not a number`)
    return Number(s)
  }
  for (const part of field.split(',')) {
    const [range, stepText, extra] = part.split('/')
    if (extra !== undefined || range === undefined || range === '') throw new CronSyntaxError(expression, `${label}: bad item "${part}"`)
    const step = stepText === undefined ? 1 : Number(stepText)
    if (!Number.isInteger(step) || step < 1) throw new CronSyntaxError(expression, `${label}: bad step "${stepText}"`)
    let lo: number, hi: number
    if (range === '*' || range === '?') { lo = min; hi = max }
    else if (range.includes('-')) {
      const [a, b] = range.split('-')
      lo = value(a!); hi = value(b!)
    } else {
      lo = value(range); hi = stepText === undefined ? lo : max
    }
    if (lo < min || hi > max || lo > hi) throw new CronSyntaxError(expression, `${label}: "${part}" is outside ${min}-${max}`)
    for (let v = lo; v <= hi; v += step) out.add(v)
  }
  return out
}

export function parseCron(expression: string): CronSpec {
  const fields = expression.trim().split(/\s+/)
  if (fields.length !== 5 && fields.length !== 6) throw new CronSyntaxError(expression, `expected 5 or 6 fields, got ${fields.length}`)
  const [second, minute, hour, dom, month, dow] = fields.length === 6 ? fields : ['0', ...fields]
  const dayOfWeek = parseField(expression, dow!, 'day of week', 0, 7, WEEKDAYS)
  if (dayOfWeek.has(7)) { dayOfWeek.delete(7); dayOfWeek.add(0) }
  return {
    second: parseField(expression, second!, 'second', 0, 59),
    minute: parseField(expression, minute!, 'minute', 0, 59),
    hour: parseField(expression, hour!, 'hour', 0, 23),
    dayOfMonth: parseField(expression, dom!, 'day of month', 1, 31),
    month: parseField(expression, month!, 'month', 1, 12, MONTHS, 1),
    dayOfWeek,
  }
}

export interface WallClock { minute: number; hour: number; day: number; month: number; /** 0 = Sunday */ weekday: number }

/** Does the cron spec fire at this local wall-clock minute (second 0 or any listed second)? */
export function cronMatches(spec: CronSpec, t: WallClock): boolean {
  return spec.minute.has(t.minute) && spec.hour.has(t.hour) && spec.dayOfMonth.has(t.day) && spec.month.has(t.month) && spec.dayOfWeek.has(t.weekday)
}

const MINUTE = 60_000
const BLOCK = 15 * MINUTE
const MAX_RANGE = 400 * 24 * 3600_000

/** The zone's offset (ms) at t; constant within a 15-minute UTC block (zone offset changes fall on such boundaries). */
function offsetAt(t: number, timeZone: string): number {
  const p = localParts(new Date(t), timeZone)
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000
}

/**
 * Every instant in (from, to] at which a cron expression fires in `timeZone`, oldest first, evaluated on
 * local wall-clock time like node-cron. Used by the simulator to fire jobs on its virtual clock and by the
 * scheduler to catch up after downtime.
 */
export function dueRuns(schedule: string | CronSpec, from: Date, to: Date, timeZone: string): Date[] {
  const spec = typeof schedule === 'string' ? parseCron(schedule) : schedule
  const start = from.getTime(), end = to.getTime()
  if (!(end > start)) return []
  if (end - start > MAX_RANGE) throw new RangeError(`dueRuns: range longer than ${MAX_RANGE / 86_400_000} days`)
  const seconds = [...spec.second].sort((a, b) => a - b)
  const out: Date[] = []
  let blockStart = Math.floor(start / BLOCK) * BLOCK
  for (; blockStart <= end; blockStart += BLOCK) {
    const offset = offsetAt(blockStart, timeZone)
    for (let m = blockStart; m < blockStart + BLOCK && m <= end; m += MINUTE) {
      const local = new Date(m + offset)
      const wall = { minute: local.getUTCMinutes(), hour: local.getUTCHours(), day: local.getUTCDate(), month: local.getUTCMonth() + 1, weekday: local.getUTCDay() }
      if (!cronMatches(spec, wall)) continue
      for (const s of seconds) {
        const at = m + s * 1000
        if (at > start && at <= end) out.push(new Date(at))
      }
    }
  }
  return out
}
