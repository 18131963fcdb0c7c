/** Display helpers shared by the digest text and HTML. */

export const pct = (rate: number | null | undefined) => (rate == null ? '—' : `${Math.round(rate * 100)}%`)

/** 35分钟, 2.5小时, 1.5天 */
export function describeMinutes(minutes: number | null | undefined): string {
  if (minutes == null) return '—'
  if (minutes < 60) return `${Math.round(minutes)}分钟`
  const hours = minutes / 60
  if (hours < 48) return `${trim1(hours)}小时`
  return `${trim1(hours / 24)}天`
}

/** 5小时, 3天 (for ages) */
export function describeAgeHours(hours: number): string {
  return hours < 48 ? `${Math.max(0, Math.floor(hours))}小时` : `${Math.floor(hours / 24)}天`
}

const trim1 = (n: number) => String(Math.round(n * 10) / 10)

export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}
