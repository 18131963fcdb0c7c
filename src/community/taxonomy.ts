// The taxonomy keys are fixed by ../shared/eval/README.md; other tools rely on them.
export const CATEGORIES = [
  'repair', 'elderly_help', 'dispute', 'environment', 'safety', 'consultation', 'suggestion', 'other',
] as const
export type Category = (typeof CATEGORIES)[number]

export const URGENCIES = ['urgent', 'high', 'normal', 'low'] as const
export type Urgency = (typeof URGENCIES)[number]

export const CATEGORY_NAMES: Record<Category, string> = {
  repair: '维修报修',
  elderly_help: '助老帮扶',
  dispute: '纠纷调解',
  environment: '环境卫生',
  safety: '安全隐患',
  consultation: '政策咨询',
  suggestion: '意见建议',
  other: '其他',
}

export const URGENCY_NAMES: Record<Urgency, string> = {
  urgent: '紧急',
  high: '较急',
  normal: '一般',
  low: '不急',
}

export const isCategory = (v: unknown): v is Category => CATEGORIES.includes(v as Category)
export const isUrgency = (v: unknown): v is Urgency => URGENCIES.includes(v as Urgency)
