import { describe, expect, it } from 'vitest'
import { groupSafeText } from '../../bot/sender.js'

describe('groupSafeText (the last check before a group message)', () => {
  it('masks phone and ID-card numbers and removes openids', () => {
    expect(groupSafeText('电话13812345678')).toBe('电话138****5678')
    expect(groupSafeText('身份证110101199003071234')).toBe('身份证110101********1234')
    expect(groupSafeText('o6_bmjrPTlm6_2sgVt7hMZOPfL2M 你好')).toBe('[已隐藏] 你好')
  })
  it('leaves ordinary text alone, including 28-letter words and longer tokens', () => {
    for (const t of ['@李阿姨 已收到您反映的问题，工单号 12（维修报修）', 'oabcdefghijklmnopqrstuvwxyza', 'xo6_bmjrPTlm6_2sgVt7hMZOPfL2M', 'o6_bmjrPTlm6_2sgVt7hMZOPfL2Mx']) {
      expect(groupSafeText(t)).toBe(t)
    }
  })
})
