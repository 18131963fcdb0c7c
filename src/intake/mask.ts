// Masks personal data in text that is logged, shown to staff or sent to an LLM.
// Mainland mobiles keep the first 3 and last 4 digits (13800000001 → 138****0001), ID-card numbers
// keep the first 6 (region) and last 4 (110101199003071234 → 110101********1234), landlines keep the
// area code and last 4 digits. Separators the resident typed (spaces, dashes) are kept so the text
// still reads naturally. Already-masked numbers (138****5621) are left as they are.

// 18-char resident ID: region (6) + birth date (8, 19xx/20xx) + sequence (3) + check digit or X.
const ID_CARD = /(?<![0-9A-Za-z])([1-9]\d{5})((?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})([0-9Xx])(?![0-9A-Za-z])/g

// Mobile: optional +86 / 0086 / 86 prefix, then 1[3-9]xxxxxxxxx with optional single spaces or
// dashes between groups (138-0000-0001, 138 0000 0001).
const MOBILE = /(?<![\d*])((?:\+?86|0086)[\s-]?)?(1[3-9]\d)([\s-]?)(\d{4})([\s-]?)(\d{4})(?![\d*])/g

// Landline: area code 0xx / 0xxx, a dash or space, then a 7–8 digit local number.
const LANDLINE = /(?<![\d*])(0\d{2,3})([\s-])(\d{3,4})(\d{4})(?![\d*])/g

// The same, typed in groups: 110101 19900307 1234 / 110101-19900307-123X.
const ID_CARD_GROUPED = /(?<![0-9A-Za-z])([1-9]\d{5})([\s-])((?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))([\s-])(\d{3}[0-9Xx])(?![0-9A-Za-z])/g

// Phone IMEs often type full-width digits (１３８…): they are folded to ASCII so the patterns see them.
const FULL_WIDTH_DIGIT = /[\uff10-\uff19]/g
const halfWidthDigits = (s: string): string => s.replace(FULL_WIDTH_DIGIT, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))

const stars = (n: number): string => '*'.repeat(n)

/**
 * Whether text can hold anything the patterns below mask: each needs at least 10 ASCII digits (a landline
 * 0xx-xxx-xxxx has 10, a mobile 11, an ID card 17), and full-width digits are folded first. One pass over
 * the characters, so that most texts (the CSV masks two per row, a million rows) skip the five regexes.
 */
function mayHoldPersonalData(text: string): boolean {
  let digits = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) { if (++digits >= 10) return true } else if (c >= 0xff10 && c <= 0xff19) return true
  }
  return false
}

/** Masks mainland mobile numbers, resident ID numbers and landlines. Never throws. */
export function maskPersonalData(text: string): string {
  if (typeof text !== 'string' || text.length < 7) return typeof text === 'string' ? text : ''
  if (!mayHoldPersonalData(text)) return text
  try {
    return halfWidthDigits(text)
      .replace(ID_CARD_GROUPED, (_m, region: string, s1: string, birth: string, s2: string, tail: string) => `${region}${s1}${stars(birth.length)}${s2}${tail}`)
      .replace(ID_CARD, (_m, region: string, middle: string, check: string) => region + stars(middle.length - 3) + middle.slice(-3) + check)
      .replace(MOBILE, (_m, prefix: string | undefined, head: string, s1: string, mid: string, s2: string, tail: string) =>
        `${prefix ?? ''}${head}${s1}${stars(mid.length)}${s2}${tail}`)
      .replace(LANDLINE, (_m, area: string, sep: string, local: string, tail: string) => `${area}${sep}${stars(local.length)}${tail}`)
  } catch {
    return text
  }
}
