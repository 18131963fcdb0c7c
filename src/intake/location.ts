// Building / unit / room extraction from resident messages.
// The labelling guide defines the building as "the building named in the message", so by default
// only the text counts; the group topic (幸福里3号楼业主群) is used only when a caller opts in.
import type { Location } from './classifier/types.js'
import { normalizeText } from './normalize.js'

export interface ExtractLocationOptions {
  /** Use a building named in the room topic when the text names none. Off by default (see above). */
  roomFallback?: boolean
}

// A zone before the number (东区5号楼, 七区5号楼) is read past: the labelling guide's building is the
// number ("5"), as every corpus batch labels it.
const ZONE = String.raw`(?:([东南西北中]区|[A-Z]区|\d{1,2}区)\s?)?`

// 3号楼, 12幢, 5#, 5#楼, B座, 8座.
// The lookbehind rejects digits glued to a longer number (phones, 20多楼) and ranges (1-8号楼, 1到8号楼),
// but not 到 as a verb (看到4号楼, 冲到20栋).
const BUILDING_RE = new RegExp(
  ZONE + String.raw`(?<![\d.~\-A-Za-z])(?<![\d一二三四五六七八九十两]\s?[至到])(?<!\d:)(\d{1,3}|[A-Za-z])\s?(号楼|號楼|栋|幢|座|#楼?|号(?=\s?\d{1,2}\s?单元))`,
  'g',
)
// 6-2-301 (building-unit-room) and 6-301 (building-room). Dates (2024-05-06) fail the 1–3 digit
// first part; times (9:00-17:00) and phone parts are excluded by the lookarounds.
const TRIPLE_RE = /(?<![\d.\-/#A-Za-z*])(?<!\d:)(\d{1,3})-(\d{1,2})-(\d{2,4})(?![\d\-:*])/
const PAIR_RE = /(?<![\d.\-/#A-Za-z*])(?<!\d:)(\d{1,2})-(\d{3,4})(?![\d\-:*点号月日年元岁])/
const UNIT_RE = /(?<![\d.])(\d{1,2})\s?单元/
// A room right after a building or unit: 2栋101, 12栋3单元401, B座1703. Not a floor (3幢2楼) and
// not a quantity (5栋300元).
const ROOM_AFTER_RE = /^\s?(?:(\d{1,2})\s?单元\s?)?(\d{3,4})(?:室|号|房)?(?![\d楼层点元岁年月日个天次分秒块米斤%.])/
const UNIT_AFTER_RE = /^\s?(\d{1,2})\s?单元/
const ROOM_RE = /(?<![\d.\-])(\d{3,4})\s?(?:室|号房)/
const UNIT_THEN_ROOM_RE = /(?<![\d.])(\d{1,2})\s?单元\s?(\d{3,4})(?![\d楼层点元岁年月日个天次分秒块米斤%.])/

// A list number right before a building number: 1.6栋, 2、12号楼.
const LIST_MARKER = /(^|[\s:：,，。;；!！?？])(\d{1,2})[.、](?=\d{1,3}\s?(?:号楼|栋|幢|座|#))/g

const PINYIN_BUILDING_RE = /(?<![\d.])(\d{1,3})\s?(?:hao\s?lou|dong|zhuang|zuo|hao(?=\s?\d{1,2}\s?dan))\b/i
const HUNDREDS_BUILDING_RE = /(?<![\d.\-])([1-9]\d{2})楼(?![\d层])/
const ENGLISH_BUILDING_RE = /\b(?:building|bldg\.?|block|tower)\s*(?:no\.?\s*)?#?\s*(\d{1,3}|[A-Za-z])\b/i

const EMPTY: Location = Object.freeze({ building: null, unit: null, room: null }) as Location

function stripZeros(d: string): string {
  const s = d.replace(/^0+(?=\d)/, '')
  return s
}

/** Location in already-normalised text (see normalizeText). Never throws. */
export function extractLocationNormalized(text: string): Location {
  if (!text) return { ...EMPTY }
  // "1.6栋东边路灯不亮": item 1 of a numbered list, building 6 (not 1.6).
  const s = text.replace(LIST_MARKER, '$1$2 ')
  let building: string | null = null
  let unit: string | null = null
  let room: string | null = null
  let buildingAt = Infinity

  const triple = TRIPLE_RE.exec(s)
  if (triple) {
    building = stripZeros(triple[1]!)
    unit = stripZeros(triple[2]!)
    room = triple[3]!
    buildingAt = triple.index
  }

  BUILDING_RE.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = BUILDING_RE.exec(s)) !== null) {
    if (m.index >= buildingAt) break
    const raw = m[2]!
    building = /\d/.test(raw) ? stripZeros(raw) : raw.toUpperCase()
    buildingAt = m.index
    unit = null
    room = null
    const rest = s.slice(m.index + m[0].length, m.index + m[0].length + 16)
    const ra = ROOM_AFTER_RE.exec(rest)
    if (ra) {
      if (ra[1]) unit = stripZeros(ra[1])
      room = ra[2]!
    } else {
      const ua = UNIT_AFTER_RE.exec(rest)
      if (ua) unit = stripZeros(ua[1]!)
    }
    break
  }

  if (building === null) {
    // English: "building 3", "block B", "bldg 12".
    const en = ENGLISH_BUILDING_RE.exec(s)
    if (en) building = /\d/.test(en[1]!) ? stripZeros(en[1]!) : en[1]!.toUpperCase()
  }
  if (building === null) {
    // Pinyin: "5 dong 1 dan yuan", "3 hao lou"; Beijing-style building numbers: 劲松八区807楼.
    const py = PINYIN_BUILDING_RE.exec(s) ?? HUNDREDS_BUILDING_RE.exec(s)
    if (py) building = stripZeros(py[1]!)
  }
  if (building === null) {
    const pair = PAIR_RE.exec(s)
    if (pair) {
      building = stripZeros(pair[1]!)
      room = pair[2]!
    }
  }

  if (unit === null) {
    const ur = UNIT_THEN_ROOM_RE.exec(s)
    if (ur) {
      unit = stripZeros(ur[1]!)
      room = room ?? ur[2]!
    } else {
      const u = UNIT_RE.exec(s)
      if (u) unit = stripZeros(u[1]!)
    }
  }
  if (room === null) {
    const r = ROOM_RE.exec(s)
    if (r) room = r[1]!
  }
  return { building, unit, room }
}

/** Building named in a group topic such as 幸福里3号楼业主群 or 丽景湾19座, or null. */
export function buildingFromRoom(room: string | null | undefined): string | null {
  if (!room || room === 'private' || room === 'miniprogram') return null
  try {
    return extractLocationNormalized(normalizeText(room)).building
  } catch {
    return null
  }
}

/**
 * Building, unit and room named in a message: 3号楼 / 三栋 / 12幢 / 5# / B座 → "3" / "3" / "12" /
 * "5" / "B"; 6-2-301 → building 6, unit 2, room 301. Floors (3楼), dates, times, amounts and phone
 * numbers are not buildings. Never throws.
 */
export function extractLocation(text: string, room?: string | null, opts: ExtractLocationOptions = {}): Location {
  try {
    const loc = extractLocationNormalized(normalizeText(typeof text === 'string' ? text : ''))
    if (loc.building === null && opts.roomFallback) {
      const hint = buildingFromRoom(room)
      if (hint !== null) return { ...loc, building: hint }
    }
    return loc
  } catch {
    return { ...EMPTY }
  }
}

/**
 * A building as a model or a form gives it ("3号楼", "三栋", "b座", "6-2-301", or a bare "3") → "3", "B", "6";
 * the same rules as reading it from a message, so every path agrees (南区2号楼 → "南区2"). null if none.
 */
export function normalizeBuilding(raw: string | null | undefined): string | null {
  const s = raw?.trim()
  if (!s) return null
  // A bare code ("3", "12", "B") is what forms send; read it as the building it names.
  return extractLocation(/^[0-9A-Za-z]{1,4}$/.test(s) ? `${s}号楼` : s).building
}

// What an answer to "请问是几号楼几单元？" may say besides the place: 是 / 在 / 我家住 / 谢谢, "I live in".
const PLACE_TOKEN_RE = new RegExp([
  String.raw`(?:[东南西北中A-Za-z]|\d{1,2})区`,
  String.raw`(?:\d{1,4}|[一二三四五六七八九十两百零〇]{1,4}|[A-Za-z])\s?(?:号楼|號楼|栋|幢|座|#楼?|号房|号|单元|室|楼|层)`,
  String.raw`\b(?:building|bldg\.?|block|tower|unit|room|flat|apt\.?|floor|no\.?)\s*#?\s*(?:\d{1,4}|[A-Za-z])?\b`,
  String.raw`\d+(?:-\d+)*`,
].join('|'), 'gi')
/** Words that may surround a place in an answer: 是 / 在 / 我家住 / 东边 / 谢谢, "I live in", "thanks". */
const PLACE_FILLER_RE = new RegExp([
  '我们家|我家|家里|住在|就在|位于|地址|谢谢|多谢|麻烦了|麻烦|你好|您好|门口|楼下|楼道|对面|旁边|附近|[东南西北左右前后](?:边|面|侧)',
  '[在住是哈呢吧啊呀了的哦噢嗯]',
  String.raw`\b(?:i|we|live|lives|living|at|in|on|it'?s|is|the|my|our|home|thanks|thank|you|please|pls)\b`,
].join('|'), 'gi')
/** At most this much else (CJK characters plus Latin words) and a message is still just a place. */
const PLACE_ANSWER_SLACK = 1

/**
 * Whether a message is essentially a place ("是7号楼3单元", "2单元", "building 3 unit 2", "我家在6-2-301"):
 * what is left once the place and its filler words are read past is a character at most. A report that also
 * names a place ("The street light outside building 3 is broken", "3号楼2单元灯坏了") is a report of its own.
 */
export function isPlaceAnswer(text: string): boolean {
  let rest: string
  try {
    rest = normalizeText(typeof text === 'string' ? text : '').replace(PLACE_TOKEN_RE, ' ').replace(PLACE_FILLER_RE, ' ')
  } catch {
    return false
  }
  const cjk = rest.match(/\p{Script=Han}/gu)?.length ?? 0
  const words = rest.match(/[A-Za-z]+/g)?.length ?? 0
  return cjk + words <= PLACE_ANSWER_SLACK
}
