// Text normalisation shared by the classifiers and location extraction.
// Residents write simplified, traditional (HK/TW) and Cantonese text, full-width digits from phone
// IMEs, and spell addresses with Chinese numerals (三栋, 十二号楼). Everything downstream matches
// on one canonical form, so this must be total (never throw) and cheap (it runs on every message).
import * as OpenCC from 'opencc-js'
import Nzh from 'nzh'
import { LeastRecentlyUsed } from '../lru.js'

type Convert = (s: string) => string

let hkToCn: Convert | null = null
let twToCn: Convert | null = null
function makeConverter(from: 'hk' | 'tw'): Convert {
  try {
    return OpenCC.Converter({ from, to: 'cn' })
  } catch {
    return (x: string) => x
  }
}
/**
 * Traditional → simplified. The HK pass covers Hong Kong variants (裏, 綫, 衞) and the shared
 * traditional forms; the TW pass then fixes Taiwan usage such as 著火 → 着火 (keeping 著名). The TW
 * pass only runs when the text was traditional at all, which keeps simplified input at one pass.
 * Converters are lazy singletons: building one loads dictionaries (~tens of ms), converting is µs.
 */
function toSimplified(s: string): string {
  const hk = hkToCn ?? (hkToCn = makeConverter('hk'))
  const once = hk(s)
  if (once === s) return s
  const tw = twToCn ?? (twToCn = makeConverter('tw'))
  return tw(once)
}

/** Full-width ASCII (U+FF01..FF5E, including ，？！：) and the ideographic space → half-width (全角转半角). */
const HAS_FULL_WIDTH = /[\uff01-\uff5e\u3000]/
function toHalfWidth(s: string): string {
  if (!HAS_FULL_WIDTH.test(s)) return s
  let out = ''
  let changed = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xff01 && c <= 0xff5e) { out += String.fromCharCode(c - 0xfee0); changed = true }
    else if (c === 0x3000) { out += ' '; changed = true }
    else out += s[i]
  }
  return changed ? out : s
}

const DIGIT: Record<string, number> = {
  '零': 0, '〇': 0, '○': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

// A well-formed Chinese numeral below 1000: 三, 十二, 二十一, 一百零二, 三百. "四五" (four or five) is not.
const WELL_FORMED = /^(?:[一二三四五六七八九]百(?:零[一二三四五六七八九]|[一二三四五六七八九]十[一二三四五六七八九]?)?|[一二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])$/
// Digit-by-digit spelling used for room numbers: 二〇一, 一零二.
const DIGIT_BY_DIGIT = /^[零〇○一二三四五六七八九]{2,4}$/

/** Converts a Chinese numeral to Arabic digits, or returns null when it is not clearly a number. */
export function chineseNumeralToDigits(zh: string): string | null {
  if (WELL_FORMED.test(zh)) {
    try {
      // decodeS is typed as string but returns a number at runtime.
      const v = String(Nzh.cn.decodeS(zh))
      return /^\d+$/.test(v) ? v : null
    } catch {
      return null
    }
  }
  // Only when a zero is present or it is long: "四五栋" means "four or five buildings".
  if (DIGIT_BY_DIGIT.test(zh) && (/[零〇○]/.test(zh) || zh.length >= 3)) {
    let out = ''
    for (const ch of zh) out += String(DIGIT[ch])
    return out
  }
  return null
}

// Numeral followed by an address word. 号 alone is left alone: 三月五号 is a date.
const ADDRESS_NUMERAL = /([零〇○一二三四五六七八九十百]+)(?=号楼|号院|号门|栋|幢|座|单元|楼|层|室|区|期|排)/g
// Characters before a lone 一 that make it "one"/"the same" rather than a building number:
// 同一栋, 每一栋, 这一层, 哪一单元, 唯一, 统一.
const ONE_BLOCKERS = new Set('同每这那哪任某唯统万另整单逐几上下前后头'.split(''))

function convertAddressNumerals(s: string): string {
  if (!/[零〇○一二三四五六七八九十百]/.test(s)) return s
  return s.replace(ADDRESS_NUMERAL, (m: string, _g: string, offset: number) => {
    const prev = offset > 0 ? s[offset - 1]! : ''
    // Part of a larger numeral word such as 三十几栋 or a counted phrase like 几十栋: leave it.
    if (prev === '几' || prev === '数' || prev === '多') return m
    if ((m === '一' || m === '两') && ONE_BLOCKERS.has(prev)) return m
    // 两 is a count (两栋楼 = two buildings), never an address.
    if (m.includes('两')) return m
    // 一座 / 一排 are mostly "a/one" (一座桥); digits there are rare enough to skip.
    const next = s[offset + m.length] ?? ''
    if (m === '一' && (next === '座' || next === '排' || next === '期')) return m
    const d = chineseNumeralToDigits(m)
    return d ?? m
  })
}

const WS = /\s+/g

/**
 * Canonical text for matching: simplified characters, half-width ASCII, single spaces, and Arabic
 * digits in addresses (三栋 → 3栋, 十二号楼 → 12号楼, 二单元 → 2单元). Never throws.
 */
export function normalizeText(text: string): string {
  if (typeof text !== 'string') return ''
  if (text.length === 0) return ''
  // A message's text is normalised by several readers in turn (the follow-up check, the classifier, the location
  // reader): the last few thousand short texts are remembered.
  const known = text.length <= MEMO_MAX_CHARS ? normalized.get(text) : undefined
  if (known !== undefined) return known
  const s = normalizeUncached(text)
  if (text.length <= MEMO_MAX_CHARS) normalized.set(text, s)
  return s
}

const MEMO_MAX_CHARS = 500
const normalized = new LeastRecentlyUsed<string, string>(4000)

function normalizeUncached(text: string): string {
  try {
    let s = toHalfWidth(text)
    s = toSimplified(s)
    s = s.replace(WS, ' ').trim()
    s = convertAddressNumerals(s)
    return s
  } catch {
    // Last resort: at least keep the text usable.
    return String(text).replace(WS, ' ').trim()
  }
}

// Cantonese function words → Mandarin, for matching only (the stored text keeps what was written).
// Only characters that are unambiguous in written Cantonese are mapped, so Mandarin text is unchanged.
const CANTONESE_HINT = /[咗喺冇唔佢嘅嚟睇啲嗰哋嘢揾搵冧]/
const CANTONESE: ReadonlyArray<readonly [RegExp, string]> = [
  [/唔该/g, '麻烦'], [/唔好/g, '不要'], [/系唔系/g, '是不是'], [/喺度/g, '在'], [/喺/g, '在'], [/咗/g, '了'],
  [/冇/g, '没'], [/唔/g, '不'], [/佢哋/g, '他们'], [/我哋/g, '我们'], [/你哋/g, '你们'], [/佢/g, '他'], [/嘅/g, '的'],
  [/嚟/g, '来'], [/睇/g, '看'], [/边个/g, '谁'], [/点算/g, '怎么办'], [/点解/g, '为什么'], [/乜嘢/g, '什么'],
  [/嗰/g, '那'], [/揾|搵/g, '找'], [/啲/g, '些'], [/(都|就|不)系/g, '$1是'], [/仲(在|有|未|是)/g, '还$1'],
  [/([喷烧漏响流冒滴叫喊哭])紧/g, '$1着'], [/成屋/g, '满屋'], [/冧/g, '塌'], [/起不到身/g, '起不了身'],
]

/** Written Cantonese → Mandarin equivalents on already normalised text (唔该 → 麻烦, 爆咗 → 爆了). */
export function cantoneseToMandarin(s: string): string {
  if (!CANTONESE_HINT.test(s)) return s
  let out = s
  for (const [re, to] of CANTONESE) out = out.replace(re, to)
  return out
}
