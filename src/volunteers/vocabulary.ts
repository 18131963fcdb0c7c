import type { Category, Urgency } from '../community/taxonomy.js'

/** What a volunteer is asked to do, named from the words: the offer says it first. */
const TASK_KINDS: [string, RegExp][] = [
  ['代买药', /买.{0,3}药|取药|配药|拿药|药.{0,15}(?:代买|代购|买)/],
  ['陪同就医', /陪.{0,4}(?:看病|就医|医院|复查|体检|就诊)|就医/],
  ['送餐', /送餐|送饭|助餐|打饭|送.{0,2}饭菜/],
  ['代购', /代买|代购|帮.{0,3}买|买菜|买米|买油/],
  ['陪伴聊天', /陪.{0,2}聊|聊天|陪伴|说说话/],
  ['打扫', /打扫|保洁|收拾|擦窗/],
  ['理发', /理发|剪头/],
]

export function taskKindOf(text: string): string {
  return TASK_KINDS.find(([, re]) => re.test(text))?.[0] ?? '帮扶'
}

/** Requests volunteers may be offered: 为老服务, and nothing urgent or 较急 (those stay with staff). */
export const OFFERABLE_CATEGORIES: readonly Category[] = ['elderly_help']
export const OFFERABLE_URGENCIES: readonly Urgency[] = ['normal', 'low']

export const isLowRisk = (urgency: string) => (OFFERABLE_URGENCIES as readonly string[]).includes(urgency)

/** "1.5小时" / "2h" / "半小时" / "30分钟" in a volunteer's 完成 note → hours; null when it says none. */
export function hoursIn(note: string | null): number | null {
  if (!note) return null
  if (/半个?小时/.test(note)) return 0.5
  const h = /(\d+(?:\.\d+)?)\s*(?:个)?(?:小时|钟头|h\b|H\b)/.exec(note)
  if (h) return Math.min(24, Number(h[1]))
  const m = /(\d+)\s*分钟/.exec(note)
  if (m) return Math.min(24, Math.round((Number(m[1]) / 60) * 100) / 100)
  return null
}
