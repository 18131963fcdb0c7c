import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chineseNumeralToDigits, normalizeText } from '../../src/intake/normalize.js'

describe('normalizeText', () => {
  it('converts traditional (HK/TW) characters to simplified', () => {
    expect(normalizeText('請問電梯壞了誰來處理')).toBe('请问电梯坏了谁来处理')
    expect(normalizeText('樓下停車場的燈')).toBe('楼下停车场的灯')
    // HK variants and Taiwan usage of 著
    expect(normalizeText('裏面的電綫')).toBe('里面的电线')
    expect(normalizeText('樓道著火了')).toBe('楼道着火了')
    expect(normalizeText('著名的樓盤')).toBe('著名的楼盘')
  })

  it('handles Cantonese text without mangling the colloquial characters', () => {
    const out = normalizeText('唔該，大堂盞燈壞咗，搵師傅嚟睇下')
    expect(out).toContain('唔该')
    expect(out).toContain('盏灯坏咗')
    expect(out).toContain('师傅嚟睇下')
  })

  it('leaves simplified text without full-width characters unchanged', () => {
    const s = '楼道里的感应灯不亮了。麻烦物业来看看'
    expect(normalizeText(s)).toBe(s)
  })

  it('turns full-width punctuation into ASCII (全角转半角), keeping the ideographic full stop', () => {
    expect(normalizeText('灯坏了，快来！要多久？')).toBe('灯坏了,快来!要多久?')
    expect(normalizeText('好的。')).toBe('好的。')
  })

  it('turns full-width ASCII and the ideographic space into half-width', () => {
    expect(normalizeText('ＡＢＣ１２３＃')).toBe('ABC123#')
    expect(normalizeText('Ｂ座１７０３？')).toBe('B座1703?')
    expect(normalizeText('好的　谢谢')).toBe('好的 谢谢')
  })

  it('collapses whitespace and trims', () => {
    expect(normalizeText('  水管 \n\t 漏了  ')).toBe('水管 漏了')
  })

  it('writes Chinese numerals in addresses as digits', () => {
    expect(normalizeText('三栋的门禁')).toBe('3栋的门禁')
    expect(normalizeText('十二号楼')).toBe('12号楼')
    expect(normalizeText('二单元')).toBe('2单元')
    expect(normalizeText('二十一幢')).toBe('21幢')
    expect(normalizeText('我住九号楼三单元')).toBe('我住9号楼3单元')
    expect(normalizeText('一百零二室')).toBe('102室')
    expect(normalizeText('二〇一室')).toBe('201室')
    expect(normalizeText('住在十楼')).toBe('住在10楼')
  })

  it('leaves numerals that are not addresses alone', () => {
    for (const s of ['三月五号', '两栋楼之间', '同一栋楼', '每一层都有', '四五栋楼', '三个月了', '一座桥', '一百块钱']) {
      expect(normalizeText(s)).toBe(s)
    }
  })

  it('is idempotent', () => {
    for (const s of ['請問十二號樓幾點停水', 'Ｂ座　三单元', '唔該搵師傅']) {
      expect(normalizeText(normalizeText(s))).toBe(normalizeText(s))
    }
  })

  it('returns an empty string for empty or non-string input', () => {
    expect(normalizeText('')).toBe('')
    expect(normalizeText(undefined as unknown as string)).toBe('')
    expect(normalizeText(42 as unknown as string)).toBe('')
  })

  it('never throws and never returns untrimmed or double-spaced text (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 })), s => {
        const out = normalizeText(s)
        expect(typeof out).toBe('string')
        expect(out).toBe(out.trim())
        expect(out).not.toMatch(/\s{2}/)
      }),
      { numRuns: 500 },
    )
  })

  it('copes with long input', () => {
    const long = '楼道灯坏了，'.repeat(2000)
    expect(normalizeText(long).length).toBe(long.length)
  })
})

describe('chineseNumeralToDigits', () => {
  it('decodes well-formed numerals and digit-by-digit room numbers', () => {
    expect(chineseNumeralToDigits('三')).toBe('3')
    expect(chineseNumeralToDigits('十')).toBe('10')
    expect(chineseNumeralToDigits('十四')).toBe('14')
    expect(chineseNumeralToDigits('三十')).toBe('30')
    expect(chineseNumeralToDigits('一百零五')).toBe('105')
    expect(chineseNumeralToDigits('三〇二')).toBe('302')
  })

  it('rejects ambiguous or malformed numerals', () => {
    expect(chineseNumeralToDigits('四五')).toBeNull()
    expect(chineseNumeralToDigits('十十')).toBeNull()
    expect(chineseNumeralToDigits('')).toBeNull()
  })
})
