// Step 1 of the offline classifier: a message → the sparse features the model reads.
//
// The text is normalised first (traditional → simplified, full-width → ASCII, Cantonese function words →
// Mandarin, Chinese numerals in addresses → digits), then described by:
//   - character n-grams (1–3), with every digit folded to "0" so 3号楼 and 12号楼 look alike;
//   - jieba words (@node-rs/jieba), which carry pinyin and English words too;
//   - the kind of room (a group, a private chat, the mini-program) and a few shape cues (question, length, formal letter, close deadline);
//   - what the danger net (./danger.ts) found: each live cue family, each cancelled one, each framing.
// Nothing here is a rule about meaning: the model learns which features matter (how much a live "smoke"
// says about urgency, how much a "hypothetical" framing says about being chatter).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Jieba as JiebaType } from '@node-rs/jieba'
import { cantoneseToMandarin, normalizeText } from '../normalize.js'
import { findDanger, type DangerFinding } from './danger.js'

/** Bump when the features a message gets change: trained models (and eval's fold cache) depend on them. */
export const FEATURES_VERSION = 4

/** What the danger net reads of a long paste (bounded cost), and what the model reads of it (its opening). */
const MAX_CHARS = 3000
const MAX_FEATURE_CHARS = 400

let jieba: JiebaType | null = null
function segmenter(): JiebaType {
  if (!jieba) {
    // @node-rs/jieba is a CommonJS native addon; load it and its bundled dictionary once. The dictionary is
    // read here rather than through '@node-rs/jieba/dict', whose module (kept in require's cache) would hold
    // it and the unused IDF table, ~11 MB, for the life of the process: the addon keeps its own copy.
    const require = createRequire(import.meta.url)
    const { Jieba } = require('@node-rs/jieba') as typeof import('@node-rs/jieba')
    jieba = Jieba.withDict(readFileSync(join(dirname(require.resolve('@node-rs/jieba/package.json')), 'dict.txt')))
  }
  return jieba
}

/** The canonical text the features (and the danger net) read. */
export function canonicalText(text: string): string {
  return cantoneseToMandarin(normalizeText(typeof text === 'string' ? text : '')).toLowerCase().slice(0, MAX_CHARS)
}

export type RoomKind = 'group' | 'private' | 'miniprogram' | 'none'
export function roomKind(room: string | null | undefined): RoomKind {
  if (!room) return 'none'
  if (room === 'private' || room === 'miniprogram') return room
  return 'group'
}

const isWordChar = (c: number): boolean =>
  (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 48 && c <= 57) || (c >= 97 && c <= 122)
/** The openings and closings of a formal complaint letter (12345, 市长信箱). */
const FORMAL = /尊敬的|领导|市长|区长|信箱|热线|恳请|恳求|反映.{0,12}(问题|情况)|特此|此致|问题描述|诉求/
/** A deadline close at hand (the guide's "time-sensitive": high urgency). */
const DEADLINE = /(今天|明天|后天|今晚|明早|马上|这周)(就)?(要)?(截止|到期|过期|要交|交材料|要用)|截止|急用|来得及吗|赶不上/
const PUNCT_KEEP = new Set([...'?？!！'].map(c => c.charCodeAt(0)))

/**
 * Feature strings of one message (deduplicated, order irrelevant). `text` is canonicalText's output; `danger`
 * is findDanger's finding on it (computed here when the caller has not already).
 */
export function featuresOfCanonical(text: string, room: string | null | undefined, danger: DangerFinding = findDanger(text)): string[] {
  const s = text.length > MAX_FEATURE_CHARS ? text.slice(0, MAX_FEATURE_CHARS) : text
  const out = new Set<string>()
  const kind = roomKind(room)
  out.add(`r:${kind}`)
  for (const f of danger.live) out.add(`d:${f}`)
  if (danger.live.length) { out.add('d:any'); out.add(`d:any:${kind}`) }
  for (const c of danger.cancelled) { out.add(`dx:${c.family}`); out.add(`dx:by:${c.by}`) }
  for (const f of danger.framings) out.add(`fr:${f}`)
  // Characters: digits folded, runs of other symbols become one boundary.
  let chars = ''
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) chars += '0'
    else if (isWordChar(c) || PUNCT_KEEP.has(c)) chars += s[i]
    else if (chars.length && chars[chars.length - 1] !== ' ') chars += ' '
  }
  for (let i = 0; i < chars.length; i++) {
    const a = chars[i]!
    if (a === ' ') continue
    out.add(a)
    const b = chars[i + 1]
    if (b === undefined || b === ' ') continue
    out.add(a + b)
    const c = chars[i + 2]
    if (c === undefined || c === ' ') continue
    out.add(a + b + c)
  }
  for (const w of segmenter().cut(s, false)) {
    if (w.length < 2 && !/[a-z]/.test(w)) continue
    if (!isWordChar(w.charCodeAt(0))) continue
    out.add(`w:${w.replace(/\d/g, '0')}`)
  }
  const len = s.length
  out.add(len < 8 ? 'len:xs' : len < 20 ? 'len:s' : len < 60 ? 'len:m' : len < 150 ? 'len:l' : 'len:xl')
  if (/[?？吗呢]/.test(s)) out.add('shape:question')
  if (FORMAL.test(s)) out.add('shape:formal')
  if (DEADLINE.test(s)) out.add('shape:deadline')
  return [...out]
}

/** Feature strings of one raw message. */
export function featuresOf(text: string, room?: string | null): string[] {
  return featuresOfCanonical(canonicalText(text), room)
}
