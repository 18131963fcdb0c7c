import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { maskPersonalData } from '../../src/intake/mask.js'

describe('maskPersonalData: mobiles', () => {
  it('keeps the first 3 and last 4 digits', () => {
    expect(maskPersonalData('13800000001')).toBe('138****0001')
    expect(maskPersonalData('有事打我电话15912345678谢谢')).toBe('有事打我电话159****5678谢谢')
  })

  it('keeps the separators the resident typed', () => {
    expect(maskPersonalData('138-0000-0001')).toBe('138-****-0001')
    expect(maskPersonalData('138 0000 0001')).toBe('138 **** 0001')
  })

  it('handles the country code', () => {
    expect(maskPersonalData('+86 13800000001')).toBe('+86 138****0001')
    expect(maskPersonalData('+8613800000001')).toBe('+86138****0001')
    expect(maskPersonalData('008613912345678')).toBe('0086139****5678')
  })

  it('masks every number in the text', () => {
    expect(maskPersonalData('15912345678或13712345678')).toBe('159****5678或137****5678')
  })

  it('leaves non-mobile numbers alone', () => {
    for (const s of ['工单号20240506113', '工单#13912345678901', '12345', '2024-05-06', '6-2-301', '12800000001', '已经是138****5621了']) {
      expect(maskPersonalData(s)).toBe(s)
    }
  })
})

describe('maskPersonalData: ID cards and landlines', () => {
  it('keeps the region code and the last 4 characters of an ID number', () => {
    expect(maskPersonalData('身份证110101199003071234')).toBe('身份证110101********1234')
    expect(maskPersonalData('11010119900307123X')).toBe('110101********123X')
    expect(maskPersonalData('44030620011231002x。')).toBe('440306********002x。')
  })

  it('does not treat an 18-digit number without a birth date as an ID', () => {
    expect(maskPersonalData('123456789012345678')).toBe('123456789012345678')
  })

  it('masks landlines but keeps the area code', () => {
    expect(maskPersonalData('物业电话0571-88886721')).toBe('物业电话0571-****6721')
    expect(maskPersonalData('020 12345678')).toBe('020 ****5678')
  })
})

describe('maskPersonalData properties', () => {
  it('never throws and never changes the length', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), s => {
        expect(maskPersonalData(s).length).toBe(s.length)
      }),
      { numRuns: 300 },
    )
  })

  it('never leaves a generated mobile number readable', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('3', '5', '7', '8', '9'),
        fc.stringMatching(/^\d{9}$/),
        fc.constantFrom('', '电话', '联系我：', '+86 '),
        fc.constantFrom('', '，谢谢', ' 物业'),
        (second, rest, before, after) => {
          const mobile = `1${second}${rest}`
          const out = maskPersonalData(before + mobile + after)
          expect(out).not.toContain(mobile)
          expect(out).toContain(`${mobile.slice(0, 3)}****${mobile.slice(-4)}`)
        },
      ),
    )
  })

  it('returns non-string input as an empty string', () => {
    expect(maskPersonalData(null as unknown as string)).toBe('')
  })
})

describe('maskPersonalData: forms typed on phones', () => {
  it('masks a mobile typed in full-width digits', () => {
    expect(maskPersonalData('电话１３８００００１２３４')).toBe('电话138****1234')
  })
  it('masks an ID-card number typed in groups', () => {
    expect(maskPersonalData('身份证 110101 19900307 1234')).toBe('身份证 110101 ******** 1234')
    expect(maskPersonalData('110101-19900307-123X')).toBe('110101-********-123X')
  })
  it('masks the shortest number it knows (a 10-digit landline) and leaves text with fewer digits as typed', () => {
    // Texts with fewer than 10 ASCII digits and no full-width digit skip the patterns: the boundary is exact.
    expect(maskPersonalData('物业电话 021-1234567 请回电')).toBe('物业电话 021-***4567 请回电')
    expect(maskPersonalData('3号楼2单元502室，共9户 12345')).toBe('3号楼2单元502室，共9户 12345')
    expect(maskPersonalData('电话１３８１２３４５６７８')).toBe('电话138****5678')
    expect(maskPersonalData('第１栋楼道灯坏了很久')).toBe('第1栋楼道灯坏了很久')
  })
})
