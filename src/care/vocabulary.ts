// The care roster's shared vocabulary: types of need, grades and their default visit intervals.

export const CARE_TYPES = ['独居', '空巢', '高龄', '失能', '残疾', '低保', '困境儿童'] as const
export type CareType = (typeof CARE_TYPES)[number]

export const CARE_GRADES = [1, 2, 3] as const
export type CareGrade = (typeof CARE_GRADES)[number]
export const GRADE_NAMES: Record<CareGrade, string> = { 1: '一级', 2: '二级', 3: '三级' }

/** 一级 weekly, 二级 every two weeks, 三级 monthly, unless the community file says otherwise. */
export const DEFAULT_VISIT_INTERVAL_DAYS: Record<CareGrade, number> = { 1: 7, 2: 14, 3: 30 }

const DAY = 86_400_000

/** The visit interval of a grade in a community (settings.care.intervalDays overrides the default). */
export function visitIntervalMs(grade: number, care: { intervalDays?: Partial<Record<string, number>> } | undefined): number {
  const g = (CARE_GRADES as readonly number[]).includes(grade) ? (grade as CareGrade) : 3
  return (care?.intervalDays?.[String(g)] ?? DEFAULT_VISIT_INTERVAL_DAYS[g]) * DAY
}

/** Details kept encrypted on the roster row. */
export interface CareDetails {
  name: string
  types: CareType[]
  building: string | null
  unit: string | null
  room: string | null
  contact: { name: string; phone: string | null; relation: string | null } | null
  /** the resident's own WeChat name, if they use WeChat */
  wechat: string | null
}

/** 3号楼1单元302 */
export function addressText(d: Pick<CareDetails, 'building' | 'unit' | 'room'>): string {
  return [d.building ? `${d.building}号楼` : '', d.unit ? `${d.unit}单元` : '', d.room ?? ''].join('') || '（未登记住址）'
}
