/** Building an Intl.DateTimeFormat costs ~10× a format call: one per timezone, kept for the process. */
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/**
 * A zone's UTC offset is constant within each 15-minute slice of time (every modern transition falls on one),
 * so the formatter runs once per slice and each call after that is arithmetic: the CSV and dashboard format
 * millions of dates.
 */
const SLICE_MS = 15 * 60_000
const offsets = new Map<string, Map<number, number>>()

/** The last slice looked up: consecutive calls (a row's dates, consecutive rows) mostly fall in it. */
let last = { timeZone: '', slice: NaN, offset: 0 }

function offsetMs(date: Date, timeZone: string): number {
  const slice = Math.floor(date.getTime() / SLICE_MS)
  if (slice === last.slice && timeZone === last.timeZone) return last.offset
  const offset = sliceOffset(slice, timeZone)
  last = { timeZone, slice, offset }
  return offset
}

function sliceOffset(slice: number, timeZone: string): number {
  let zone = offsets.get(timeZone)
  if (!zone) { zone = new Map(); offsets.set(timeZone, zone) }
  let offset = zone.get(slice)
  if (offset === undefined) {
    const start = slice * SLICE_MS
    offset = wallClockAsUtc(start, timeZone) - start
    if (zone.size > 200_000) zone.clear()
    zone.set(slice, offset)
  }
  return offset
}

/**
 * The zone's wall clock at an instant, read as if it were UTC. format() is read by position ('MM/DD/YYYY, HH:MM:SS':
 * a third of formatToParts' cost, and the first CSV export works out ~40,000 slices); any other shape (a year
 * before 1000 or after 9999) goes through formatToParts, as every value once did.
 */
function wallClockAsUtc(instant: number, timeZone: string): number {
  const f = formatterFor(timeZone)
  const s = f.format(instant)
  if (s.length === 20 && s[2] === '/' && s[5] === '/' && s[10] === ',' && s[11] === ' ' && s[14] === ':' && s[17] === ':') {
    const year = digits(s, 6, 4), month = digits(s, 0, 2), day = digits(s, 3, 2)
    const hour = digits(s, 12, 2), minute = digits(s, 15, 2), second = digits(s, 18, 2)
    if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0 && second >= 0) return Date.UTC(year, month - 1, day, hour, minute, second)
  }
  const parts: Record<string, string> = {}
  for (const p of f.formatToParts(new Date(instant))) parts[p.type] = p.value
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second))
}

/** The number written by `length` ASCII digits at `at`, or -1 when one is not a digit. */
function digits(s: string, at: number, length: number): number {
  let n = 0
  for (let i = at; i < at + length; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}

/** Wall-clock parts of an instant in a timezone (communities default to Asia/Shanghai). */
export function localParts(date: Date, timeZone: string) {
  const wall = new Date(date.getTime() + offsetMs(date, timeZone))
  return {
    year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(),
    hour: wall.getUTCHours(), minute: wall.getUTCMinutes(), second: wall.getUTCSeconds(),
    /** ISO weekday: Monday = 1 … Sunday = 7 */
    weekday: wall.getUTCDay() || 7,
  }
}

/** The instant at a local wall-clock time in a timezone. */
export function zonedTime(timeZone: string, y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Date {
  const guess = Date.UTC(y, mo - 1, d, h, mi, s)
  // Correct by the zone's offset at that instant (twice, to settle across an offset change).
  let t = guess
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(t), timeZone)
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
    t = guess - (asUtc - t)
  }
  return new Date(t)
}

const pad = (n: number) => String(n).padStart(2, '0')

/** 11月23日 13:00 */
export function formatLocal(date: Date, timeZone: string): string {
  const p = localParts(date, timeZone)
  return `${p.month}月${p.day}日 ${pad(p.hour)}:${pad(p.minute)}`
}

/** 2026-11-23 13:00 */
export function formatLocalIso(date: Date, timeZone: string): string {
  // The wall clock as a UTC instant, formatted natively: the CSV formats up to seven dates per row.
  const iso = new Date(date.getTime() + offsetMs(date, timeZone)).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`
}

/** A UTC instant as DATETIME(3) text, as both databases store it: '2026-11-23 01:00:00.000'. */
export const utcDatetimeText = (date: Date): string => date.toISOString().replace('T', ' ').slice(0, 23)

/** Per zone: UTC hour ('2026-11-23 01') → its local hour ('2026-11-23 09'), or null when the hour is not one whole-hour offset. */
const localHours = new Map<string, Map<string, string | null>>()

const textInstant = (text: string) => new Date(`${text.replace(' ', 'T')}Z`)

/**
 * formatLocalIso for DATETIMEs read as UTC text ('2026-11-23 01:00:00.000' → '2026-11-23 09:00'), without a
 * Date per value: an hour whose four 15-minute slices share one whole-hour offset (nearly every hour in nearly
 * every zone) maps its text prefix to the local one and keeps the minutes; any other hour (a DST change inside
 * it, offsets such as +05:45, LMT) and any other text goes through formatLocalIso. Each formatter remembers the
 * last hour it saw (one per CSV column: consecutive rows mostly share it); the CSV formats 7 per row.
 */
export function localIsoTextFormatter(timeZone: string): (utcText: string) => string {
  const hours = knownLocalHours(timeZone)
  let lastHour = '', lastLocal: string | null = null
  return (text) => {
    if (text.length < 16 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58) return formatLocalIso(textInstant(text), timeZone)
    if (!text.startsWith(lastHour) || lastHour === '') {
      lastHour = text.slice(0, 13)
      let local = hours.get(lastHour)
      if (local === undefined) {
        local = localHour(lastHour, timeZone)
        if (hours.size > 100_000) hours.clear()
        hours.set(lastHour, local)
      }
      lastLocal = local
    }
    return lastLocal === null ? formatLocalIso(textInstant(text), timeZone) : lastLocal + text.slice(13, 16)
  }
}

/**
 * The hours localIsoTextFormatter has worked out for a zone (each costs a few Intl calls): a worker thread starts
 * from the parent's and hands back the ones it added.
 */
export function knownLocalHours(timeZone: string): Map<string, string | null> {
  let zone = localHours.get(timeZone)
  if (!zone) { zone = new Map(); localHours.set(timeZone, zone) }
  return zone
}

/** formatLocalIso of a DATETIME read as UTC text (see localIsoTextFormatter). */
export const formatLocalIsoText = (utcText: string, timeZone: string) => localIsoTextFormatter(timeZone)(utcText)

function localHour(utcHour: string, timeZone: string): string | null {
  const start = Date.UTC(Number(utcHour.slice(0, 4)), Number(utcHour.slice(5, 7)) - 1, Number(utcHour.slice(8, 10)), Number(utcHour.slice(11, 13)))
  if (!Number.isFinite(start)) return null
  const first = Math.floor(start / SLICE_MS)
  const offset = sliceOffset(first, timeZone)
  if (offset % 3_600_000 !== 0) return null
  for (let s = first + 1; s < first + 4; s++) if (sliceOffset(s, timeZone) !== offset) return null
  const iso = new Date(start + offset).toISOString()
  return iso.length === 24 ? `${iso.slice(0, 10)} ${iso.slice(11, 13)}` : null
}
