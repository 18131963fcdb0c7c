import type { Category } from '../community/taxonomy.js'

/** Safety advice added to the acknowledgement of an urgent request, matched on what the resident wrote. */
const ADVICE: { pattern: RegExp; text: string }[] = [
  { pattern: /煤气|燃气|天然气|液化气|气味.*(气|煤)|漏气/, text: '请不要开关电灯和电器，不要用明火，也不要在屋里打电话；马上开窗通风、关掉燃气阀门，人到室外后再拨打燃气抢修电话或 119。' },
  { pattern: /着火|起火|火灾|冒烟|浓烟|烧起来|火苗/, text: '请立即撤离，用湿毛巾捂住口鼻、走楼梯不要乘电梯，马上拨打 119。' },
  { pattern: /困.*电梯|电梯.*(困|关)|被关在电梯/, text: '被困人员请保持冷静，按电梯内警铃或拨打轿厢内救援电话，也可拨打电梯应急救援电话 96333（报电梯编号），不要强行扒门；情况危急请拨打 119。' },
  { pattern: /摔倒|跌倒|昏迷|晕倒|不省人事|没反应|叫不醒|没有呼吸|心脏|中风|喘不上气/, text: '如有生命危险请立即拨打 120；不要随意挪动摔倒的老人，注意保暖，等候救援。' },
  { pattern: /爆管|水管.*(爆|裂)|淹|漫水|水漫|大量.*水/, text: '请立即关闭总水阀，远离浸水的插座和电器，必要时切断电源。' },
  { pattern: /电线|漏电|触电|短路|电箱|冒火花/, text: '请远离漏电区域，不要用手触碰，能安全操作时拉下电闸；有人触电请拨打 120。' },
  { pattern: /锁在|反锁|困在家|孩子.*锁/, text: '请安抚被困人员，必要时拨打 119 请求开锁救援。' },
]

const BY_CATEGORY: Partial<Record<Category, string>> = {
  safety: '请先远离危险区域，确保人身安全；情况危急请拨打 110 / 119 / 120。',
  elderly_help: '如老人身体不适或有危险，请立即拨打 120。',
}

export function safetyAdvice(text: string, category: Category): string {
  return ADVICE.find((a) => a.pattern.test(text))?.text ?? BY_CATEGORY[category] ?? '情况危急请先拨打 110 / 119 / 120，确保人身安全。'
}
