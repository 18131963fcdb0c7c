const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }
/** Building an Intl.DateTimeFormat costs ~10× a format call: one per timezone, kept for the process. */
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** Wall-clock parts of an instant in a timezone (communities default to Asia/Shanghai). */
export function localParts(date: Date, timeZone: string) {
  const parts: Record<string, string> = {}
  for (const p of formatterFor(timeZone).formatToParts(date)) parts[p.type] = p.value
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second),
    /** ISO weekday: Monday = 1 … Sunday = 7 */
    weekday: WEEKDAYS[parts.weekday!]!,
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
  const p = localParts(date, timeZone)
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`
}
