import { LeastRecentlyUsed } from '../lru.js'
import { normalizeText } from './normalize.js'

// Words that say nothing about *which* problem it is: location forms, particles, politeness, generic verbs.
const LOCATION = /(?:[0-9A-Z]+(?:号楼|号|栋|幢|座|单元|室|层|楼|#))|[0-9A-Z]+(?:-[0-9A-Z]+)+|[0-9A-Z]+/g
// Contact details and whose-home words residents add ("电话138…", "联系人王先生"): nothing about the problem.
const CONTACT = /(?:联系电话|联系方式|联系人|电话|手机号?|号码|微信号?|姓名|先生|女士|阿姨|大爷|师傅|业主|住户)/g
const FILLER = /[了的又还都也啊吧呢吗嘛呀哦哈请麻烦帮忙一下快点赶紧我们你他她它家里这那个是在有没不和就很太非常已经今天昨天现在一直好几天坏停修问题情况物业社区大家谁能给看下了吗呢，。！？!?,.~～\s、：:；;“”"'（）()【】\[\]…]/g

// Words residents use for the same thing, folded to one token before comparing, so that "门禁刷不开" and
// "单元门打不开", or "停水" and "没有水", count as the same problem. Longer words first.
const SAME_THING: [RegExp, string][] = [
  [/电悌|升降梯|轿厢|电梯/g, '电梯'],
  // 单元门口 / 楼门口 is a place (at the entrance), not the door: "3号楼门口垃圾桶满了" is no access-control report.
  [/门禁卡?|单元门(?!口)|楼门(?!口)|防盗门|门锁|刷卡|刷脸|对讲/g, '门禁'],
  [/楼道灯|声控灯|感应灯|照明灯|灯泡|灯管|路灯|电灯|灯/g, '灯'],
  [/停水|没有水|没水|断水|不出水|冇水|水停了/g, '停水'],
  [/停电|没有电|没电|断电|跳闸|冇电/g, '停电'],
  [/暖气片|暖气|供暖|地暖/g, '暖气'],
  [/下水道|地漏|马桶|下水|排水|返水/g, '下水'],
  // A roof letting the rain in is not a burst pipe: different trades fix them.
  [/漏雨|屋顶漏|楼顶漏|房顶漏|天花板漏/g, '漏雨'],
  [/水管|管道|自来水管|水龙头/g, '水管'],
  [/漏水|渗水|滴水|渗漏/g, '漏水'],
  [/垃圾桶|垃圾站|垃圾房|垃圾箱|垃圾/g, '垃圾'],
  [/噪音|噪声|扰民|太吵|好吵|吵/g, '噪音'],
  [/煤气|燃气|天然气|液化气/g, '燃气'],
  [/热水器|热水/g, '热水'],
]

function contentOf(text: string): string {
  return readingOf(text).content
}

/**
 * What the comparisons need of a text, worked out once per text: a report is compared with up to 20 open
 * requests, whose texts come back report after report (pure functions of the text, so remembering them is exact).
 */
interface Reading { content: string; things: Set<string>; grams: Set<string> }
const readings = new LeastRecentlyUsed<string, Reading>(2000)
function readingOf(text: string): Reading {
  const known = readings.get(text)
  if (known) return known
  const s = normalizeText(text)
  const content = s.toUpperCase().replace(CONTACT, '').replace(LOCATION, '').replace(FILLER, '')
  const things = new Set<string>()
  for (const [re, token] of SAME_THING) {
    re.lastIndex = 0
    if (re.test(s)) things.add(token)
  }
  const reading = { content, things, grams: content.length < 2 ? new Set(content) : bigrams(content) }
  if (text.length <= 2000) readings.set(text, reading)
  return reading
}

/** The things a report is about, folded to one token per family (电梯, 门禁, 停水 …). */
function thingsOf(text: string): Set<string> {
  return readingOf(text).things
}

function bigrams(s: string): Set<string> {
  const out = new Set<string>()
  for (let i = 0; i + 1 < s.length; i++) out.add(s.slice(i, i + 2))
  return out
}

/**
 * How alike two reports are about *what* is wrong (0..1): the larger of the share of named things in
 * common (synonyms folded: 门禁 = 单元门, 没水 = 停水) and the overlap coefficient of the character
 * bigrams left after stripping locations and filler words. "3号楼电梯坏了" vs "3栋电梯又停了" → 1;
 * "电梯坏了" vs "楼道灯坏了" → 0. Single-character content ("灯", "水") is compared as characters.
 */
export function problemSimilarity(a: string, b: string): number {
  // Both name what is wrong and they name nothing in common (电梯 / 灯, 漏雨 / 水管): two problems, however alike the words.
  const ta = thingsOf(a), tb = thingsOf(b)
  if (ta.size && tb.size && ![...ta].some((t) => tb.has(t))) return 0
  return Math.max(textOverlap(a, b), thingOverlap(a, b))
}

/** Share of named things in common (门禁刷不开 / 单元门打不开 → 1; 电梯 / 灯 → 0). */
function thingOverlap(a: string, b: string): number {
  const ta = thingsOf(a), tb = thingsOf(b)
  if (!ta.size || !tb.size) return 0
  let shared = 0
  for (const t of ta) if (tb.has(t)) shared++
  return shared / Math.min(ta.size, tb.size)
}

function textOverlap(a: string, b: string): number {
  const ra = readingOf(a), rb = readingOf(b)
  const ca = ra.content, cb = rb.content
  if (!ca || !cb) return 0
  const [ga, gb] = ca.length < 2 || cb.length < 2 ? [new Set(ca), new Set(cb)] : [ra.grams, rb.grams]
  let shared = 0
  for (const g of ga) if (gb.has(g)) shared++
  return shared / Math.min(ga.size, gb.size)
}

const FOLLOW_UP = /^(?:\+ ?\d+|＋\d+|同上|同|一样|同样|我也是|我家也是|我家也一样|我家也这样|我们家也是|我们也是|我这也是|我这边也是|这边也是|我们这也是|我们楼也是|我家同样|也是|附议|顶|顶一下|\+1同上)[!！。.~～，,]*$/
const FOLLOW_UP_LOOSE = /(?:同上|\+ ?1|也是这样|也一样|也是|也有这个问题|同样的问题|一样的情况)/

/**
 * Short replies such as "+1", "我家也是" or "同上" that add nobody new to the problem: they count as
 * co-reports of the latest request in the same room. Longer texts go through classification instead.
 */
export function isFollowUpReply(text: string): boolean {
  const t = normalizeText(text).replace(/@\S+\s*/g, '').trim()
  if (!t || t.length > 12) return FOLLOW_UP.test(t)
  return FOLLOW_UP.test(t) || (FOLLOW_UP_LOOSE.test(t) && !/不是|没有|不一样|不同/.test(t) && contentOf(t).length <= 4)
}
