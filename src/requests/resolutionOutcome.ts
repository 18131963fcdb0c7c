import { ValidationError } from '../errors.js'

/**
 * How a request was honestly closed, given by the staff member with 办结 and kept apart in the 三率:
 * 已解决, 部分解决, 未解决（已说明原因）, 不属于社区职责（已转办）.
 */
export const RESOLUTION_OUTCOMES = ['solved', 'partial', 'unsolved_explained', 'referred'] as const
export type ResolutionOutcome = (typeof RESOLUTION_OUTCOMES)[number]
export const RESOLUTION_OUTCOME_NAMES: Record<ResolutionOutcome, string> = {
  solved: '已解决', partial: '部分解决', unsolved_explained: '未解决（已说明原因）', referred: '不属于社区职责（已转办）',
}

const LEADING: [ResolutionOutcome, RegExp][] = [
  ['partial', /^部分解决/],
  ['unsolved_explained', /^(?:未解决|没解决|无法解决|暂未解决|解决不了)/],
  ['referred', /^(?:已?转办|不属于社区职责|非社区职责|不归社区管)/],
  ['solved', /^(?:已解决|已经解决|解决了)/],
]

/**
 * The outcome named at the start of a 完成 note ("部分解决 灯换了，开关待换"), or the one given explicitly (API).
 * No outcome named means 已解决. 未解决 and 转办 need words after them: the reason or where it went.
 */
export function resolutionOutcomeOf(note: string | null, explicit?: ResolutionOutcome | null): ResolutionOutcome {
  const text = (note ?? '').trim()
  const named = LEADING.find(([, re]) => re.test(text))
  const outcome = explicit ?? named?.[0] ?? 'solved'
  if (outcome === 'unsolved_explained' || outcome === 'referred') {
    const rest = named && named[0] === outcome ? text.replace(named[1], '').replace(/^[\s，,：:。（(）)]+/, '') : text
    if (!rest) {
      throw new ValidationError(outcome === 'referred'
        ? '转办需要说明转给了哪个部门，例如：完成 12 转办 已转交供电公司处理'
        : '未解决需要说明原因，例如：完成 12 未解决 需业委会表决后才能更换')
    }
  }
  return outcome
}
