import { describe, expect, it } from 'vitest'
import { isFollowUpReply, problemSimilarity } from '../../src/intake/similarity.js'

describe('problemSimilarity', () => {
  it.each([
    ['3号楼电梯坏了', '三栋电梯又停了', 0.5, 1],
    ['楼道灯不亮了', '我们单元楼道灯坏了好几天', 0.5, 1],
    ['电梯坏了', '楼道灯坏了', 0, 0.29],
    ['家里没热水', '热水一直没有', 0.5, 1],
    ['', '电梯坏了', 0, 0],
  ])('%s vs %s', (a, b, lo, hi) => {
    const s = problemSimilarity(a, b)
    expect(s).toBeGreaterThanOrEqual(lo)
    expect(s).toBeLessThanOrEqual(hi)
  })
})

describe('isFollowUpReply', () => {
  it.each(['+1', '＋1', '同上', '我家也是', '我家也是！', '我们楼也是', '+1 同上'])('%s is a follow-up', (t) => expect(isFollowUpReply(t)).toBe(true))
  it.each(['我家不是这样', '电梯坏了', '今天天气真好', '我家也是，从早上到现在都没热水，厨房水龙头一直滴'])('%s is not', (t) => expect(isFollowUpReply(t)).toBe(false))
})

describe('problemSimilarity folds words for the same thing', () => {
  it.each([
    ['3号楼门禁刷不开', '3号楼单元门打不开'],
    ['垃圾桶满了没人收', '垃圾三天没人清了'],
    ['下水道堵了', '地漏返水'],
    ['楼上装修太吵', '楼上噪音扰民'],
    ['楼道灯不亮', '3单元楼道的灯坏了'],
    ['5号楼停水了', '5栋一直没有水'],
  ])('%s ~ %s', (a, b) => expect(problemSimilarity(a, b)).toBeGreaterThanOrEqual(0.5))
  it.each([
    ['3号楼电梯坏了', '3号楼楼道灯坏了'],
    ['3号楼电梯坏了', '3号楼水管漏水'],
    ['门禁刷不开', '楼道里没水了'],
    ['3号楼楼顶漏雨', '3号楼水管漏水'],
    // 门口 is where, not what: a missing manhole cover and a full bin at the same entrance are two problems
    ['3号楼2单元门口井盖缺失', '3号楼门口垃圾桶满了没人清理'],
  ])('%s ≁ %s', (a, b) => expect(problemSimilarity(a, b)).toBeLessThan(0.3))
})

describe('problemSimilarity ignores what residents add that is not the problem', () => {
  // Distinct problems, each with the same contact tail: none may look like another.
  const problems = ['3号楼电梯坏了', '3号楼楼道灯不亮', '3号楼门禁刷不开', '3号楼垃圾没人清', '3号楼楼上装修太吵']
  const withPhone = problems.map((p, i) => `${p}，电话1381234567${i}`)
  it.each(withPhone.flatMap((a, i) => withPhone.slice(i + 1).map((b) => [a, b])))('%s ≁ %s', (a, b) => {
    expect(problemSimilarity(a, b)).toBeLessThan(0.3)
  })
  it.each([
    ['3号楼电梯坏了，联系电话13812345678', '3栋电梯又停了 手机13987654321'],
    ['5号楼停水了，王先生 13800001111', '5栋一直没有水'],
  ])('%s ~ %s (the same problem still)', (a, b) => expect(problemSimilarity(a, b)).toBeGreaterThanOrEqual(0.5))
  it('a text\'s reading is remembered, which changes no score: every pair scores alike first and again, either way round', () => {
    const texts = ['3号楼电梯坏了', '三栋电梯又停了', '楼道灯坏了', '电', '5栋一直没有水', '5号楼停水了', '灯']
    const pairs = texts.flatMap((a) => texts.map((b) => [a, b] as const))
    const first = pairs.map(([a, b]) => problemSimilarity(a, b))
    expect(pairs.map(([a, b]) => problemSimilarity(b, a))).toEqual(first)
    expect(pairs.map(([a, b]) => problemSimilarity(a, b))).toEqual(first)
    expect(first).toContain(0)
    expect(first).toContain(1)
  })
})
