import { localParts, zonedTime } from '../time.js'

/**
 * The week before the one containing `at`, in the community's timezone:
 * the previous Monday 00:00 (inclusive) to this Monday 00:00 (exclusive, i.e. Sunday 24:00).
 */
export function previousWeek(at: Date, timeZone: string): { from: Date; to: Date } {
  const p = localParts(at, timeZone)
  const mondayDay = p.day - (p.weekday - 1)
  // zonedTime normalises out-of-range days (Date.UTC), so day arithmetic crosses months and years.
  return { from: zonedTime(timeZone, p.year, p.month, mondayDay - 7), to: zonedTime(timeZone, p.year, p.month, mondayDay) }
}

/** YYYY-MM-DD of an instant in a timezone. */
export function localDate(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone)
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`
}
