import type { Category } from '../community/taxonomy.js'

// The suggested action shown with a recurring problem: what would solve the class of problem, not the case.

const BY_THING: [RegExp, string][] = [
  [/电梯|电悌|轿厢/, '约电梯维保单位全面检测，查明反复故障的根因；需要更换部件的，启动维修资金申请，并在楼栋群公示进度。'],
  [/灯/, '对整栋楼的照明线路和灯具统一排查更换，不再逐盏报修。'],
  [/漏水|渗水|滴水|下水|地漏|返水|堵/, '请物业排查整栋楼的给排水管道，必要时列入管网改造。'],
  [/停水|没水|断水/, '与供水单位核实反复停水的原因，提前在群里公告计划停水。'],
  [/停电|没电|跳闸/, '请供电和物业排查楼栋线路负荷，必要时增容改造。'],
  [/垃圾|异味|臭/, '调整清运频次或增设垃圾桶，明确保洁责任人。'],
  [/噪音|吵|扰民/, '由调解员组织相关住户协商，订立楼栋文明公约。'],
  [/停车|车位|堵车|占道/, '梳理停车秩序，协调划线或错峰停车方案。'],
  [/门禁|单元门|楼门/, '请物业对门禁系统整体检修或更换。'],
]

const BY_CATEGORY: Record<Category, string> = {
  repair: '约物业和维保单位查明根因、一次修好，并安排复查。',
  environment: '调整保洁和清运安排，明确责任人。',
  dispute: '由调解员组织协商，订立楼栋公约。',
  safety: '组织一次安全隐患专项排查。',
  elderly_help: '将相关老人纳入关爱对象名册，安排定期走访和志愿服务。',
  consultation: '把常见问题整理成告示或群公告。',
  suggestion: '在居民议事会上讨论这一类建议。',
  other: '梳理这类诉求，研究一类事的解决办法。',
}

export function suggestAction(category: Category, texts: string[], reopened: number): string {
  const all = texts.join(' ')
  const base = BY_THING.find(([re]) => re.test(all))?.[1] ?? BY_CATEGORY[category]
  return reopened >= 2 ? `同一工单已重办 ${reopened} 次，说明没有修好：${base}` : base
}
