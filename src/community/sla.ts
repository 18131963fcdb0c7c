import type { CommunitySettings, SlaWindow } from './settings.js'
import type { Urgency } from './taxonomy.js'

const MIN = 60_000
const HOUR = 60 * MIN

/** Defaults by urgency: 签收 (accept) and 办结 (resolve) windows. */
export const DEFAULT_SLA: Record<Urgency, SlaWindow> = {
  urgent: { acceptMs: 15 * MIN, resolveMs: 2 * HOUR },
  high: { acceptMs: 1 * HOUR, resolveMs: 24 * HOUR },
  normal: { acceptMs: 4 * HOUR, resolveMs: 72 * HOUR },
  low: { acceptMs: 24 * HOUR, resolveMs: 7 * 24 * HOUR },
}

export function slaFor(urgency: Urgency, settings?: Pick<CommunitySettings, 'sla'>): SlaWindow {
  return { ...DEFAULT_SLA[urgency], ...(settings?.sla?.[urgency] ?? {}) }
}

export function deadlines(urgency: Urgency, from: Date, settings?: Pick<CommunitySettings, 'sla'>) {
  const w = slaFor(urgency, settings)
  return { acceptDueAt: new Date(from.getTime() + w.acceptMs), resolveDueAt: new Date(from.getTime() + w.resolveMs) }
}

/** Human Chinese for a window: 15分钟, 2小时, 3天. */
export function describeDuration(ms: number): string {
  if (ms % (24 * HOUR) === 0) return `${ms / (24 * HOUR)}天`
  if (ms % HOUR === 0) return `${ms / HOUR}小时`
  return `${Math.round(ms / MIN)}分钟`
}
