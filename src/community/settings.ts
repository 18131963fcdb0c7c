import type { Category, Urgency } from './taxonomy.js'
import type { StaffRole } from '../db/entities/community.js'

export interface SlaWindow { acceptMs: number; resolveMs: number }

/** Per-community settings kept as JSON on the community row. */
export interface CommunitySettings {
  /** category → role that owns it instead of the grid leader */
  routing: Partial<Record<Category, StaffRole>>
  /** SLA overrides (ISO-8601 durations from the YAML, already parsed to ms) */
  sla: Partial<Record<Urgency, Partial<SlaWindow>>>
  merge: MergeRule
  callbacks: CallbackRule
  /** 关爱对象 visit intervals; absent on communities imported before the roster existed */
  care?: CareRule
  /** 爱心积分 rules; absent on communities imported before volunteers existed (the defaults apply) */
  points?: PointsRule
}

/** Actions that can earn 爱心积分: a volunteer task the resident confirmed, a resident's report that was handled. */
export const POINTS_ACTIONS = ['volunteering', 'verified_report'] as const
export type PointsAction = (typeof POINTS_ACTIONS)[number]

export interface PointsRule {
  /** which actions earn points in this community */
  earn: PointsAction[]
  /** a confirmed volunteer task earns perTask + perHour × hours (rounded) */
  volunteering: { perTask: number; perHour: number }
  /** hours counted when the volunteer does not say */
  defaultHours: number
  /** the reporter of a request handled and closed (not cancelled) */
  verifiedReport: number
}

export const DEFAULT_POINTS_RULE: PointsRule = { earn: ['volunteering'], volunteering: { perTask: 10, perHour: 5 }, defaultHours: 1, verifiedReport: 2 }

export const pointsRuleOf = (s: Pick<CommunitySettings, 'points'>): PointsRule => s.points ?? DEFAULT_POINTS_RULE

/** Visit interval in days per care grade ("1" | "2" | "3"); missing grades use the defaults. */
export interface CareRule { intervalDays: Partial<Record<string, number>> }

/** When a new report is attached to an open request instead of creating another. */
export interface MergeRule {
  enabled: boolean
  windowHours: number
  /** 0..1 text similarity needed besides same building/room and category */
  minSimilarity: number
  /** Short "+1 / 我家也是 / 同上" follow-ups in the same room attach to that room's latest request within this many minutes. */
  followUpMinutes: number
}

export interface CallbackRule {
  delayMinutes: number
  quietStart: string // "21:00"
  quietEnd: string // "08:00"
  reminderHours: number
  closeAfterHours: number
}

export const DEFAULT_MERGE_RULE: MergeRule = { enabled: true, windowHours: 48, minSimilarity: 0.3, followUpMinutes: 120 }
export const DEFAULT_CALLBACK_RULE: CallbackRule = { delayMinutes: 120, quietStart: '21:00', quietEnd: '08:00', reminderHours: 24, closeAfterHours: 24 }

export function defaultSettings(): CommunitySettings {
  return { routing: {}, sla: {}, merge: { ...DEFAULT_MERGE_RULE }, callbacks: { ...DEFAULT_CALLBACK_RULE } }
}
