import { describe, expect, it } from 'vitest'
import { CALLBACK_STATUSES, canMoveCallback, type CallbackAction } from '../../src/requests/callbackStateMachine.js'
import { meansNotFixed } from '../../src/requests/feedback.js'
import { resolutionOutcomeOf } from '../../src/requests/resolutionOutcome.js'

describe('the 回访 state machine', () => {
  it('allows exactly pending → asked → reminded → answered / no_answer, withdraw on 重办, schedule again on 办结', () => {
    const allowed = (action: CallbackAction) => [null, ...CALLBACK_STATUSES].filter((s) => canMoveCallback(s, action))
    expect(allowed('ask')).toEqual(['pending'])
    expect(allowed('remind')).toEqual(['asked'])
    expect(allowed('answer')).toEqual(['pending', 'asked', 'reminded', 'no_answer'])
    expect(allowed('expire')).toEqual(['pending', 'asked', 'reminded'])
    expect(allowed('withdraw')).toEqual(['pending', 'asked', 'reminded'])
    expect(allowed('schedule')).toEqual([null, ...CALLBACK_STATUSES])
    expect(canMoveCallback('answered', 'answer')).toBe(false)
  })

  it('reopens only for "not fixed" or a 不满意 without a reason', () => {
    expect(meansNotFixed({ rating: 'satisfied', solved: false })).toBe(true)
    expect(meansNotFixed({ rating: 'unsatisfied' })).toBe(true)
    expect(meansNotFixed({ rating: 'unsatisfied', solved: true })).toBe(false)
    expect(meansNotFixed({ rating: 'unsatisfied', complaint: 'speed' })).toBe(false)
    expect(meansNotFixed({ rating: 'basically_satisfied', solved: null })).toBe(false)
  })
})

describe('办结 outcomes', () => {
  it.each([
    ['已换灯泡', null, 'solved'], ['部分解决 扶手已加固，油漆下周补', null, 'partial'], ['未解决：需业委会表决', null, 'unsolved_explained'],
    ['转办 已转交供电公司', null, 'referred'], ['不属于社区职责，已转街道城管', null, 'referred'], ['已联系物业', 'partial', 'partial'],
  ] as const)('%s (%s) → %s', (note, explicit, outcome) => {
    expect(resolutionOutcomeOf(note, explicit)).toBe(outcome)
  })

  it('未解决 and 转办 need a reason', () => {
    expect(() => resolutionOutcomeOf('未解决')).toThrow('未解决需要说明原因')
    expect(() => resolutionOutcomeOf('转办')).toThrow('转办需要说明')
    expect(() => resolutionOutcomeOf(null, 'referred')).toThrow('转办需要说明')
  })
})
