import { CATEGORIES, CATEGORY_NAMES, type Category } from '../../../src/community/taxonomy.js'

/** Our categories as Open311 services: what city platforms see in services.json. */
export interface Open311Service {
  service_code: Category
  service_name: string
  description: string
  metadata: false
  type: 'realtime'
  /** comma-separated, per the spec */
  keywords: string
  group: string
}

const DETAILS: Record<Category, { description: string; keywords: string[]; group: string }> = {
  repair: { description: '公共设施损坏报修：楼道灯、电梯、水管、门禁、路面等', keywords: ['报修', '维修', '楼道灯', '电梯', '漏水', '门禁'], group: '物业与设施' },
  elderly_help: { description: '独居、高龄、行动不便老人的生活帮扶与探访', keywords: ['助老', '独居老人', '帮扶', '探访'], group: '民生服务' },
  dispute: { description: '邻里纠纷、噪音、占用公共空间等矛盾调解', keywords: ['纠纷', '调解', '噪音', '邻里'], group: '矛盾调解' },
  environment: { description: '垃圾清运、卫生死角、绿化、异味、宠物粪便等', keywords: ['环境', '卫生', '垃圾', '绿化', '异味'], group: '物业与设施' },
  safety: { description: '消防通道堵塞、燃气泄漏、高空坠物、电动车违规充电等安全隐患', keywords: ['安全', '隐患', '消防', '燃气', '飞线充电'], group: '安全' },
  consultation: { description: '社保、医保、养老、证明开具等政策与办事咨询', keywords: ['咨询', '政策', '办事', '证明'], group: '咨询与建议' },
  suggestion: { description: '对社区管理与服务的意见和建议', keywords: ['建议', '意见'], group: '咨询与建议' },
  other: { description: '其他社区事务', keywords: ['其他'], group: '其他' },
}

export const OPEN311_SERVICES: Open311Service[] = CATEGORIES.map((code) => ({
  service_code: code,
  service_name: CATEGORY_NAMES[code],
  description: DETAILS[code].description,
  metadata: false,
  type: 'realtime',
  keywords: DETAILS[code].keywords.join(','),
  group: DETAILS[code].group,
}))

/**
 * Categories whose text is about a person's own situation (an elderly neighbour's health, a quarrel
 * between named neighbours). Open311 lists are public: their description is withheld there.
 */
export const PRIVATE_CATEGORIES: readonly Category[] = ['elderly_help', 'dispute']
