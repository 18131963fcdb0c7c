// Offline (no network) classifier: concept lexicons + rules grounded in the labelling guide.
//
// Pipeline: normalise → cheap gates (empty, media placeholder, prompt injection) → concept scan →
// not-a-request framings (announcement, ad, group-buy, already fixed, lost pet, neighbour chat) →
// category scores → request decision → urgency → confidence.
// Urgency follows the guide: urgent = danger to life/health/property *right now*; high = vulnerable
// person, many households or time-sensitive; normal = ordinary; low = suggestions, routine questions,
// minor nuisances. Urgent danger is found by family (gas, fire, electricity, water, lifts, people,
// children, structures, violence, animals, toxic fumes; see detectUrgent): each danger word must be
// live (not denied, past, feared, habitual, a topic or a device name: 煤气味已经没了, 上次着火, 万一着火,
// 下坠保护装置), the whole message must not merely talk about it (drill, news, advert, planning or
// money question), and a family is dropped when the message says it is over (救出来了) unless the
// danger comes back after that.
import type { Category, Urgency } from '../../community/taxonomy.js'
import { extractLocationNormalized } from '../location.js'
import { cantoneseToMandarin, normalizeText } from '../normalize.js'
import { PATTERNS, type Concept } from './lexicon.js'
import { conceptMatcher, type Hit } from './matcher.js'
import type { Classification, Classifier, ClassifierInput, Location } from './types.js'
import {
  NOT_NOW_BEFORE, ONGOING_SINCE, GONE_AFTER, INJECTION, STEERING, BRACKET_NOTICE, SIGNED_NOTICE,
  STAFF_SPEAKER, TO_ALL_IMPERATIVE, INFO_HEADER, SELF_CAUSED, FORWARDED, FIRST_PERSON,
  ME_TOO, SUGGEST_VERB, ZHENGGE, AGE_ELDER, MISSING_PERSON,
  LEFT_NOT_BACK, DAYS_UNSEEN, KNOCK_NO_ANSWER, GAS_LEAK, GAS_ESCAPING, STRONG_FIRE,
  WEAK_FIRE, ELECTRIC, TRAPPED_CONTEXT, ELEVATOR, PERSON_INSIDE, BURST_WATER,
  FLOOD_ELECTRIC, FALLING_THROWN, MORE_TO_FALL, IMMINENT_COLLAPSE, STRUCTURAL_NOW, SHOCK,
  CHILD_DANGER, BATTERY_SWELL, SELF_HARM, VIOLENCE, POISON, DROWNING,
  CALL_POLICE_NOW, EMERGENCY_CALLED, ELEVATOR_FALL, ELEVATOR_DOWN, BUTTON, DOG_NOW,
  BITTEN, DOG_ATTACK, PETROL, MINOR_NUISANCE, ADAPTATION, SERVICE_INQUIRY,
  HARDSHIP, IMMINENT_DEADLINE, DEADLINE, ONE_OFF_FAVOUR, LIGHT_FAULT, HEATING_OR_WATER_OUT,
  WE_BUILDING, TIME_TO_HOSPITAL, KIDS_EXPOSED, NEIGHBOUR_ADDRESS, PUBLIC_WARNING, POSITIVE_TONE,
  SARCASM, CLUTTER, FIRE_TALK, PLACEHOLDER_ONLY, HAS_WORD, PLANNED_OUTAGE, ALARM_CALL, SUGGEST_FRAME,
  HAPPENED_BEFORE_AFTER, DEMENTIA, PERSON_GONE, BUT_AFTER, PEST_CONTROL, FOR_ME, OPINION_PROPOSAL, THANKS_LEAD, ASK_NOW,
  ENV_PROBLEM, INTRUDER_NOW, INFANT, QUEUE, FAVOUR_ASK_BEFORE, UNKNOWN_PARTY_BEFORE, COMMON_AREA, HELP_WANTED, IMPROVED,
  ASKED_ALREADY, UNSOCIAL_HOURS, WATER_ON_WIRING, RELAYED,
  PAST_TIME_BEFORE, TOPIC_AFTER, HOWTO_AFTER, ONE_THEN_AFTER, HABITUAL_BEFORE, DRILL_FRAME, NEWS_FRAME, COMMERCIAL_FRAME,
  PLANNING_FRAME, POLICY_FOLLOWUP, URGENT_TONE, OVER_GENERIC, OVER_FIRE, OVER_GAS, OVER_LIFT, OVER_PERSON, OVER_WATER,
  STILL_AFTER, GAS_SMELL_WIDE, GAS_ALARM, ALARM_BATTERY, GAS_LEFT_ON, NOBODY_OR_SMELL, SMOKE_NOW, BURNT_SMELL, SPARKS,
  CRACKLE, ELECTRIC_BOX, FIRE_PLUS, POWER_DEVICE, SHOCK_WIDE, WATER_ELECTRIC, PIPE_RUPTURE, HEAVY_WATER, DEEP_WATER,
  WATER_SPREAD, MINOR_WATER, LIFT_STUCK, LIFT_INSIDE, LIFT_CATCH, SELF_HARM_WIDE, ACCIDENT, MASS_SYMPTOM, TOXIC, DURATION,
  NO_SIGN_OF_LIFE, SMELL_FROM_HOME, NOT_RESPONDING, CHILD_DANGER_WIDE, COLLAPSE_ONGOING, HANGING_OBJECT,
  CRUSH, DOMESTIC_VIOLENCE, WEAPON_FIGHT, ASKED_FOR_BEFORE, BODY_STUCK, BREAK_IN, OVER_ANIMAL, SWAYING_HIGH, CAUGHT_FIRE, BURNING_NOW,
  HABITUAL_MSG, NOW_MARK, DEVICE_AFTER, QUESTION_LEAD, GAS_CONTROL_FAIL, PERSON_TRAPPED, WIRE_DOWN, EDGE_DISTRESS, SINKING,
  THREAT_NOW, COOKING_SMOKE, STORM_BREACH, DANGLING, BELOW, SPECULATIVE_BEFORE, SEQUELA_BEFORE, GENERIC_PERSON_BEFORE,
  STROKE_SIGN, ACUTE, SHUT_IN, CHILD_ALONE, CHILD_CLIMBED, CHILD_INGESTED, ANIMAL_ATTACK, LYING_DOWN, HEART_SIGNS, HANGING_STRONG,
  NORMAL_FLAME, EXPLAINED_ABSENCE, ALARM_NOUN, SHUT_IN_LIFT, EXTINGUISH_FAIL, THING_CAUGHT, PERSON_CAUGHT, ENGLISH_URGENT,
  FLOOD_STRONG, CHILD_AT_BROKEN_RAIL, LIGHT_THING, SOMEDAY_BEFORE, ASKED_AFTER, BUILDING_SHAKING, SHAKING_SOURCE, DANGER_STEM, IN_THE_MIDDLE,
} from './rules.js'

/** Long pastes are rare; the opening carries the request and capping keeps the cost bounded. */
const MAX_CHARS = 3000

// ------------------------------------------------------------------------------------------------
// Features

// Clause boundaries: punctuation and spaces (chat messages often use spaces as commas).
const CLAUSE_BREAK = new Set([...',，。.!！?？;；:：\n ~…、'].map(c => c.charCodeAt(0)))

class Features {
  readonly hits: Hit[]
  private readonly byConcept = new Map<Concept, Hit[]>()
  private readonly termsBy = new Map<Concept, string[]>()
  private readonly activeCache = new Map<Concept, Hit[]>()

  constructor(readonly s: string) {
    const raw = conceptMatcher().scan(s)
    for (const [re, concept] of PATTERNS) {
      re.lastIndex = 0
      let m: RegExpExecArray | null
      while ((m = re.exec(s)) !== null) {
        raw.push({ concept, term: m[0], start: m.index, end: m.index + m[0].length, pattern: true })
        if (m[0].length === 0) re.lastIndex++
      }
    }
    const grouped = new Map<Concept, Hit[]>()
    const masks: Hit[] = []
    for (const h of raw) {
      if (h.concept === 'mask') { masks.push(h); continue }
      const g = grouped.get(h.concept)
      if (g) g.push(h); else grouped.set(h.concept, [h])
    }
    // A term inside a longer term of the same concept (坏 in 坏了) is the same evidence, and a
    // term inside a false friend (卫生 in 卫生间) is no evidence: drop both.
    const kept: Hit[] = []
    for (const [concept, group] of grouped) {
      const keep: Hit[] = []
      for (const h of group) {
        const len = h.end - h.start
        let drop = false
        for (const m of masks) {
          if (m.start <= h.start && m.end >= h.end && m.end - m.start > len) { drop = true; break }
        }
        if (!drop && group.length > 1) {
          for (const o of group) {
            if (o !== h && o.start <= h.start && o.end >= h.end && o.end - o.start > len) { drop = true; break }
          }
        }
        if (!drop) keep.push(h)
      }
      if (keep.length === 0) continue
      this.byConcept.set(concept, keep)
      const terms: string[] = []
      for (const h of keep) if (!terms.includes(h.term)) terms.push(h.term)
      this.termsBy.set(concept, terms)
      for (const h of keep) kept.push(h)
    }
    this.hits = kept
  }

  has(c: Concept): boolean { return this.byConcept.has(c) }
  /** Distinct matched terms of a concept; counting distinct terms stops "吵吵吵吵" from dominating. */
  distinct(c: Concept): number { return this.termsBy.get(c)?.length ?? 0 }
  terms(c: Concept): string[] { return this.termsBy.get(c) ?? NONE }
  of(c: Concept): Hit[] { return this.byConcept.get(c) ?? NO_HITS }
  /** Hits of a concept that are not denied, over or only feared (memoised per message). */
  active(c: Concept): Hit[] {
    let a = this.activeCache.get(c)
    if (!a) { a = activeHits(this, c); this.activeCache.set(c, a) }
    return a
  }
  /** Distinct active terms of a concept. */
  distinctActive(c: Concept): number {
    const a = this.active(c)
    if (a.length <= 1) return a.length
    return new Set(a.map(h => h.term)).size
  }
}
const NONE: string[] = []
const NO_HITS: Hit[] = []

/** Text of the same clause before position i, at most k characters. */
function clauseBefore(s: string, i: number, k: number): string {
  let j = i
  while (j > 0 && i - j < k && !CLAUSE_BREAK.has(s.charCodeAt(j - 1))) j--
  return s.slice(j, i)
}
/** Text of the same clause after position i, at most k characters. */
function clauseAfter(s: string, i: number, k: number): string {
  let j = i
  while (j < s.length && j - i < k && !CLAUSE_BREAK.has(s.charCodeAt(j))) j++
  return s.slice(i, j)
}

function notNow(before: string): boolean {
  return NOT_NOW_BEFORE.test(before.replace(ONGOING_SINCE, ''))
}

function activeHits(f: Features, c: Concept): Hit[] {
  return f.of(c).filter(h => {
    // A gapped pattern may have swallowed the qualifier (万一漏了): look inside it too.
    const before = clauseBefore(f.s, h.start, 8) + (h.pattern ? h.term.slice(0, -2) : '')
    if (notNow(before)) return false
    const after = clauseAfter(f.s, h.end, 10)
    if (GONE_AFTER.test(after)) return false
    // 已经绊倒老人一次了, 摔过好几次: it happened before, nobody is down right now.
    if (c === 'distress' && HAPPENED_BEFORE_AFTER.test(after)) return false
    return true
  })
}

// ------------------------------------------------------------------------------------------------
// Gates

// Rule patterns live in ./rules.ts.

// ------------------------------------------------------------------------------------------------
// Result helpers

const problemMaxOf = (sc: Record<Category, number>): number => Math.max(sc.repair, sc.environment, sc.dispute, sc.safety, sc.elderly_help)
const cap = (x: number, m: number): number => (x > m ? m : x)
/** Evidence from n distinct words of one concept: the first counts most, more of the same adds less. */
const ev = (n: number, first: number, more: number, upTo: number): number => (n <= 0 ? 0 : first + (cap(n, upTo) - 1) * more)

const NO_LOCATION: Location = { building: null, unit: null, room: null }
const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : Math.round(x * 1000) / 1000)

function chatter(location: Location, confidence: number, reasons: string[]): Classification {
  return { isRequest: false, category: null, urgency: null, location, confidence: clamp01(confidence), method: 'offline', reasons }
}

/** Families of danger; a family is dropped as a whole when the message says it is over. */
type Family = 'gas' | 'fire' | 'electric' | 'water' | 'lift' | 'person' | 'welfare' | 'missing' | 'child' | 'structure'
  | 'crime' | 'animal' | 'toxic' | 'call'

interface UrgentCue {
  cue: string
  family: Family
  category: Category
}

// ------------------------------------------------------------------------------------------------
// Classification

/** Synchronous offline classification. Never throws; always returns taxonomy values. */
export function classifyText(input: ClassifierInput): Classification {
  try {
    return classifyUnsafe(input)
  } catch {
    return chatter({ ...NO_LOCATION }, 0.1, ['internal_error'])
  }
}

function classifyUnsafe(input: ClassifierInput): Classification {
  const raw = input && typeof input.text === 'string' ? input.text : ''
  const norm = normalizeText(raw.length > MAX_CHARS ? raw.slice(0, MAX_CHARS) : raw)
  const location = norm ? extractLocationNormalized(norm) : { ...NO_LOCATION }
  if (!norm) return chatter(location, 0.99, ['empty'])
  if (PLACEHOLDER_ONLY.test(norm)) return chatter(location, 0.97, ['media_placeholder'])
  if (!HAS_WORD.test(norm)) return chatter(location, 0.95, ['no_words'])

  const s = cantoneseToMandarin(norm.toLowerCase())
  for (const re of INJECTION) if (re.test(s)) return chatter(location, 0.95, ['prompt_injection'])
  const steering = STEERING.some(re => re.test(s))

  const f = new Features(s)
  const reasons: string[] = []
  const has = f.has.bind(f)

  // ---------------------------------------------------------------- people
  const elderPerson = has('elder') || AGE_ELDER.test(s)
  const child = has('child')
  const alone = has('alone')
  const vulnerable = elderPerson || has('vulnerable')

  // ---------------------------------------------------------------- urgent cues (danger right now)
  const deliberateBurn = has('burnDeliberate')
  const strongFire = activeRegex(s, STRONG_FIRE)
  const weakFire = activeRegex(s, WEAK_FIRE)
  const scan = detectUrgent(s, f, { elderPerson, child, alone, deliberateBurn })
  const urgent = scan.cues
  const { gasLeak, fireNow, distressNow, missingPerson } = scan

  // ---------------------------------------------------------------- not-a-request framings
  const recur = has('recur') || has('complain')
  const resolvedHits = f.of('resolved').filter(h => !/(没|不|未|还没|没有|怎么|何时|啥时候|什么时候)$/.test(clauseBefore(s, h.start, 3))
    // "热水器没坏，但是热水出不来": the part that is fine is not the problem being reported.
    && !BUT_AFTER.test(s.slice(h.end, h.end + 6)))
  const resolvedQuestion = /(修好|好了|恢复|来电|来水)[^,，。]{0,3}(吗|没|没有|了吗|呢|\?)/.test(s)
  const resolved = resolvedHits.length > 0 && !resolvedQuestion
  const handling = f.of('handling').some(h => !/(不|没|没有|不太|不够|不是很|还没)$/.test(clauseBefore(s, h.start, 4)))

  let announce = f.distinct('announce') + (/@所有人|@全体/.test(s) ? 1 : 0)
  if (TO_ALL_IMPERATIVE.test(s)) announce += 2
  if (BRACKET_NOTICE.test(s)) announce += 3
  if (SIGNED_NOTICE.test(s)) announce += 3
  if (STAFF_SPEAKER.test(s)) announce += 3
  if (FORWARDED.test(s)) announce += 3
  if (INFO_HEADER.test(s)) announce += 3
  const firstPerson = FIRST_PERSON.test(s)

  // ---------------------------------------------------------------- category scores
  // First piece of evidence counts most; more of the same adds less (several words, one problem).
  const score: Record<Category, number> = {
    repair: 0, elderly_help: 0, dispute: 0, environment: 0, safety: 0, consultation: 0, suggestion: 0, other: 0,
  }

  // repair: a facility with a fault, a utility out, or asking for a repair
  const facility = f.distinct('facility')
  const fault = f.distinctActive('fault')
  score.repair += ev(facility, 0.8, 0.4, 3) + ev(fault, 2, 0.8, 3) + ev(f.distinct('repairAct'), 2, 0.6, 2) + (has('outage') ? 2 : 0)
  if (facility > 0 && fault > 0) score.repair += 1.5

  // elderly_help: a vulnerable person with a care need or in distress
  const elderN = f.distinct('elder') + (AGE_ELDER.test(s) ? 1 : 0)
  const needN = f.distinct('elderNeed')
  score.elderly_help += ev(elderN, 0.6, 0.3, 3) + (elderPerson ? ev(needN, 1.6, 0.7, 3) : ev(needN, 0.4, 0.2, 2))
  if (elderPerson && needN > 0) score.elderly_help += 2
  if (elderPerson && alone) score.elderly_help += 1.5
  // The family is away and asks someone to look in.
  if (elderPerson && has('away')) score.elderly_help += 1
  if (elderPerson && ADAPTATION.test(s)) score.elderly_help += 1.5

  // dispute: conduct of another party, conflict, fees
  const party = has('party')
  const nuisance = f.distinctActive('nuisance')
  const conflict = f.distinctActive('conflict')
  score.dispute += ev(nuisance, 2, 0.8, 3) + ev(conflict, 1.5, 0.7, 3) + ev(f.distinct('fee'), 2, 0.8, 3) + (party ? 0.5 : 0)
  if (party && nuisance > 0) score.dispute += 1
  // Conduct at unsocial hours (半夜, 一大早, 午休) is worse; the hour alone is no conduct (孩子半夜发烧).
  if (nuisance > 0 && UNSOCIAL_HOURS.test(s)) score.dispute += 1.5
  if (party && conflict > 0) score.dispute += 1

  // environment: sanitation, pests, greenery
  score.environment += ev(f.distinct('env'), 2.2, 0.8, 3) + ev(f.distinct('pest'), 2.6, 0.8, 2) + ev(f.distinct('greenery'), 0.8, 0.3, 2)
  if ((has('env') || has('pest')) && COMMON_AREA.test(s)) score.environment += 0.6
  // Pests in numbers, or pest control asked for, is a sanitation problem whatever place is named.
  if (has('pest') && (has('severe') || PEST_CONTROL.test(s))) score.environment += 1.5

  // safety: hazards to life or property
  score.safety += ev(f.distinct('hazard'), 3, 1, 2)
  if (gasLeak) score.safety += 5
  else if (has('gasWord') && /罐|钢瓶/.test(s)) score.safety += 2
  if (strongFire || weakFire) score.safety += fireNow ? 5 : 2
  if (deliberateBurn && (weakFire || strongFire)) score.safety += 1
  if (f.active('falling').length > 0) score.safety += /下面|下方|人行道|有人走|路过|行人|楼下|门口/.test(s) ? 6 : 5
  if (has('ebike') && has('charging')) score.safety += 3.5
  else if (/飞线|私拉电线|私拉乱接|乱拉电线/.test(s)) score.safety += 3.5
  if (has('exposedWire') && /电线|线|铜丝|电/.test(s)) score.safety += 4.5
  if (has('manhole')) score.safety += 4.5
  if (has('exitBlock')) score.safety += fault > 0 ? 6 : 4.5
  if (has('intruder')) score.safety += ev(f.distinct('intruder'), 4.5, 1, 2)
  if (has('fraud')) score.safety += 4
  if (has('dog') && has('bite')) score.safety += 3
  if (PETROL.test(s)) score.safety += 2
  score.safety += ev(f.distinct('danger'), 0.8, 0.4, 2)

  // consultation: policy or service questions
  const policyN = f.distinct('policy')
  const howN = f.distinct('howTo')
  const questionish = has('question') || howN > 0
  score.consultation += ev(policyN, 2, 0.8, 2) + ev(howN, 1.8, 0.8, 3)
  if (policyN > 0 && questionish) score.consultation += 1
  // Asking how or when to pay a fee is a question, complaining about it is a dispute.
  if (has('fee') && (howN > 0 || has('question')) && conflict === 0 && !/涨|凭什么|乱收|不合理|太贵|贵了/.test(s)) score.consultation += 2.5

  // suggestion: proposals to improve the community
  const suggestWord = has('suggest')
  // "帮我开个证明" asks something for the writer; a suggestion proposes something for the community.
  const forMe = FOR_ME.test(s)
  const suggestVerb = ((SUGGEST_VERB.test(s) && !forMe) || ZHENGGE.test(s) || OPINION_PROPOSAL.test(s))
  if (/建议|提议|提个建议|倡议/.test(s)) score.suggestion += 5
  else if (suggestWord) score.suggestion += 3
  if (suggestVerb) score.suggestion += 4

  // other: favours and services that fit nowhere else
  score.other += ev(f.distinct('favour'), 2.2, 0.6, 2)
  // A favour asked for directly (帮忙打印, 帮我联系, 能不能代收) is the request itself.
  if (f.of('favour').some(h => h.term.startsWith('帮') || FAVOUR_ASK_BEFORE.test(clauseBefore(s, h.start, 4)))) score.other += 1

  // ---------------------------------------------------------------- cross-category rules
  // Leaks between floors where blame is at issue are disputes (guide); a plain leak is a repair.
  if (/楼上|楼下|隔壁/.test(s) && /漏|渗|滴/.test(s) && conflict > 0) score.dispute += 2
  // Smoke or smells from neighbours' cooking/smoking are disputes.
  if (party && /油烟|烟味|抽烟|烧烤|熏/.test(s)) score.dispute += 1.5
  // Rubbish/pests are environment even when someone is blamed, unless a conflict is explicit.
  // A vulnerable person affected by a broken facility: still a repair unless someone asks for care.
  if (elderPerson && /(帮帮|照顾|安排人|送|陪|看看(他|她)|看一下(他|她)|帮(他|她))/.test(s)) score.elderly_help += 1.5
  // Safety beats repair for hazards named by the guide.
  if (fireNow || gasLeak) { score.safety += 3 }
  // A policy keyword inside a complaint about fees is a dispute, not a question.
  if (has('fee') && (conflict > 0 || /凭什么|涨|乱收|不合理/.test(s))) { score.dispute += 1.5; score.consultation -= 1 }
  // Noise that keeps people awake is a neighbour dispute even when a machine makes it.
  if (/噪音|噪声|吵|扰民/.test(s) && /睡不着|睡不好|失眠|影响休息|半夜|晚上|凌晨/.test(s)) score.dispute += 1.5
  // Rubbish or smell left by someone is an environment problem unless there is an actual quarrel.
  if (f.distinct('env') >= 2 && conflict === 0) score.environment += 1
  // Clutter in stairwells plus fire talk is a fire-safety hazard (guide: blocked fire exits).
  if (CLUTTER.test(s) && FIRE_TALK.test(s)) score.safety += 5
  // Deliberate burning smell that fills the area is environmental.
  if (deliberateBurn && /味|烟/.test(s) && !fireNow) score.environment += 1

  // A person in distress outweighs whatever object is nearby (倒在楼梯口 is not a stair repair).
  // People being hurt outweigh the quarrel around it (夫妻吵架…拖出来打).
  for (const u of urgent) score[u.category] += u.family === 'crime' ? 7 : 5

  // ---------------------------------------------------------------- request evidence
  const ranked = (Object.keys(score) as Category[]).sort((a, b) => score[b] - score[a] || tieOrder(a) - tieOrder(b))
  const top = ranked[0]!
  const topScore = score[top]

  // A private chat with the bot or a mini-program message is addressed to the community itself.
  const direct = input.room === 'private' || input.room === 'miniprogram'
  const authority = has('authority') || direct || /@\S{0,6}(物业|社区|管家|小助手|网格|居委|客服|保安|书记)/.test(s)
  const ask = has('ask')
  const complaint = has('complain')
  let evidence = topScore
  if (authority && (ask || questionish || complaint)) evidence += 1.5
  else if (authority) evidence += 0.7
  if (ask) evidence += 0.8
  if (complaint) evidence += 0.6
  if (has('severe')) evidence += 0.6
  if (questionish && topScore >= 1.5) evidence += 0.4
  if (urgent.length > 0) evidence += 3
  if (ME_TOO.test(s)) evidence += 1
  if (has('urgentCall')) evidence += 0.5

  // Soft framings that lower the evidence.
  const chatN = f.distinct('chat') + f.distinct('greeting')
  const neighbourQ = f.of('neighbourQ').some(h => !UNKNOWN_PARTY_BEFORE.test(clauseBefore(s, h.start, 4))) || NEIGHBOUR_ADDRESS.test(s)
  if (neighbourQ && !authority && !suggestVerb && !(HELP_WANTED.test(s) && topScore >= 2)) evidence -= /你家|你们家/.test(s) ? 3.5 : 2.5
  // Hearsay (听说隔壁小区…, 看到群里说…) is news, not a report; an answer to someone else's
  // question (我打听过了…) is information.
  if (/听说|据说|新闻|网上说|视频里|别的小区|隔壁小区|其他小区|群里说|有人说/.test(s) && !authority && !ask) evidence -= 2
  if (ASKED_ALREADY.test(s) && !has('question')) evidence -= 2
  if (chatN > 0 && urgent.length === 0) evidence -= Math.min(chatN, 3) * 0.6
  // Enjoying something (烧烤太香了) is not complaining about it.
  if (POSITIVE_TONE.test(s) && !complaint && urgent.length === 0) evidence -= ask || questionish ? 1 : 3
  if (has('thanks') && !complaint && !ask && urgent.length === 0) evidence -= 1
  // Thanks for something already done, with nothing broken or asked: 谢谢社区送来的慰问品.
  const thanksOnly = has('thanks') && !complaint && (!ask || (THANKS_LEAD.test(s) && !ASK_NOW.test(s) && !has('repairAct')))
    && !questionish && urgent.length === 0 && f.distinctActive('fault') === 0 && f.active('distress').length === 0

  // Hard framings: the guide lists these as not requests.
  const problemStrong = topScore >= 4 || urgent.length > 0
  if (steering && !problemStrong) return chatter(location, 0.9, ['prompt_injection'])
  if (announce >= 3 && !(firstPerson && problemStrong && !has('selfNotice'))) {
    return chatter(location, 0.85, ['announcement', ...reasonsOf(f, 'announce')])
  }
  if (has('selfNotice') && !complaint) return chatter(location, 0.8, ['resident_notice'])
  const adN = f.distinct('ad') + f.distinct('groupBuy')
  if (has('groupBuy') && f.distinct('groupBuy') >= 2 && urgent.length === 0) return chatter(location, 0.85, ['group_buy', ...reasonsOf(f, 'groupBuy')])
  if (/接龙|团购|拼团|成团|截单/.test(s) && urgent.length === 0 && !complaint) return chatter(location, 0.85, ['group_buy'])
  if (adN >= 3 && !firstPerson && urgent.length === 0) return chatter(location, 0.85, ['advertisement', ...reasonsOf(f, 'ad')])
  if (/(加v|加微信|vx|wx|微信号|私聊|私信|电话)[^,，。]{0,20}$/.test(s) && adN >= 2 && !firstPerson && urgent.length === 0) {
    return chatter(location, 0.8, ['advertisement'])
  }
  // "原来是我家空开跳了", "不过是我自己欠费了": the cause was on the resident's side.
  if (SELF_CAUSED.test(s) && urgent.length === 0 && !ask) return chatter(location, 0.8, ['self_caused'])
  if (resolved && urgent.length === 0 && !(recur && problemStrong && !/虚惊|误会|搞错/.test(s))) {
    return chatter(location, 0.85, ['already_resolved', ...resolvedHits.map(h => `resolved:${h.term}`).slice(0, 2)])
  }
  // Praise or "they're on it" closes the matter, unless the problem is still going on (坏了第三周).
  if ((handling || IMPROVED.test(s)) && !complaint && urgent.length === 0 && !(fault > 0 && has('longTime')) && !ASK_NOW.test(s)) {
    if (topScore < 6 || POSITIVE_TONE.test(s)) return chatter(location, 0.75, ['being_handled'])
  }
  if (PUBLIC_WARNING.test(s) && urgent.length === 0 && !(authority && (ask || questionish))) {
    return chatter(location, 0.75, ['public_warning'])
  }
  if (thanksOnly) return chatter(location, 0.75, ['thanks'])
  // "我刚问了社区，说低保要本人去申请…": passing on an answer, asking nothing.
  if (ASKED_ALREADY.test(s) && !has('question') && !ASK_NOW.test(s) && !complaint && urgent.length === 0 && (fault === 0 || RELAYED.test(s))) {
    return chatter(location, 0.7, ['relayed_answer'])
  }
  if (PLANNED_OUTAGE.test(s) && !complaint && urgent.length === 0) return chatter(location, 0.75, ['planned_outage'])
  const lostPetOrItem = (has('lost') && (has('pet') || has('lostItem'))) || has('found')
  // Something found and handed in (放保安亭了): news for the owner, unless the community is asked to act.
  if (has('found') && !ASK_NOW.test(s) && howN === 0 && urgent.length === 0 && !complaint) return chatter(location, 0.85, ['found_item'])
  if (lostPetOrItem && !missingPerson && !authority && policyN === 0 && !has('favour') && urgent.length === 0) {
    return chatter(location, 0.85, ['lost_or_found'])
  }

  // Threshold: one clear concept (facility+fault, policy question, hazard) or a weaker one addressed
  // to the people who can act.
  const THRESHOLD = 2.5
  let isRequest = evidence >= THRESHOLD
  // Sarcastic praise around a real problem is still a complaint (真棒, 感谢物业的贴心安排).
  if (!isRequest && SARCASM.test(s) && topScore >= 3 && (has('longTime') || complaint)) isRequest = true
  // A bare question with no community topic is neighbour chat.
  const alarm = ALARM_CALL.test(s) && !POSITIVE_TONE.test(s) && chatN === 0
  // "社区有没有人能帮忙" asks the community, not the neighbours.
  const askingAuthority = authority && ask && chatN === 0 && (!neighbourQ || HELP_WANTED.test(s))
  if (isRequest && topScore < 1.5 && urgent.length === 0 && !alarm && !askingAuthority) isRequest = false
  if (!isRequest) {
    const conf = 0.5 + Math.min(0.45, (THRESHOLD - evidence) * 0.1)
    return chatter(location, conf, ['no_request_signal', `evidence:${evidence.toFixed(1)}`])
  }

  // ---------------------------------------------------------------- category choice
  let category: Category = top
  // An unexplained cry for help is treated as a safety matter; other unplaced asks are 'other'.
  if (topScore < 2 && alarm) category = 'safety'
  else if (topScore < 2 && (ask || authority)) category = 'other'
  // A rhetorical "什么时候…" inside a complaint is not a policy question.
  if (category === 'consultation' && complaint && policyN <= 1 && problemMaxOf(score) >= 2) {
    category = (['safety', 'elderly_help', 'repair', 'dispute', 'environment'] as Category[]).reduce((a, b) => (score[b] > score[a] ? b : a))
  }
  // "能不能立个牌子" after a complaint is a remedy for that problem, not a standalone proposal.
  if (suggestVerb && !/建议|提议|提个建议|倡议|提个意见/.test(s) && problemMaxOf(score) >= 3 && category === 'suggestion') {
    category = (['safety', 'elderly_help', 'repair', 'dispute', 'environment'] as Category[]).reduce((a, b) => (score[b] > score[a] ? b : a))
  }
  // A proposal for something new (能否在垃圾站旁边装个洗手池) that names places but no problem.
  const problemSignal = fault > 0 || nuisance > 0 || conflict > 0 || complaint || has('pest') || has('severe') || f.active('distress').length > 0
    || ENV_PROBLEM.test(s) || (elderPerson && needN > 0)
  if (suggestVerb && !problemSignal && urgent.length === 0 && category !== 'suggestion' && category !== 'consultation') category = 'suggestion'
  // A message framed as a proposal is a suggestion whatever problems it mentions, unless there is danger.
  if (SUGGEST_FRAME.test(s) && urgent.length === 0) category = 'suggestion'
  // A proposal beats a mild complaint it is attached to, not a danger.
  if (score.suggestion >= 5 && urgent.length === 0 && category !== 'suggestion' && score.suggestion + 1 >= topScore) category = 'suggestion'

  // ---------------------------------------------------------------- urgency
  const urgency = decideUrgency({
    category, s, f, urgent, elderPerson, child, alone, vulnerable, calmed: scan.calmed,
  })

  // ---------------------------------------------------------------- confidence
  let runnerUp = -Infinity
  for (const k of ranked) if (k !== category && score[k] > runnerUp) runnerUp = score[k]
  const margin = score[category] - runnerUp
  const reqStrength = Math.min(1, (evidence - THRESHOLD + 1) / 5)
  const catStrength = Math.min(1, Math.max(0, margin) / 4)
  let confidence = 0.35 + 0.35 * reqStrength + 0.3 * catStrength
  if (urgent.length > 0) confidence = Math.max(confidence, 0.8)
  if (category === 'other') confidence = Math.min(confidence, 0.55)

  reasons.push(`category:${category}`, `score:${score[category].toFixed(1)}`, `margin:${margin.toFixed(1)}`)
  for (const u of urgent) reasons.push(`urgent:${u.cue}`)
  if (urgency === 'urgent' && urgent.length === 0) reasons.push('urgent:alarm_call')
  for (const c of KEY_CONCEPTS) { const t = f.terms(c); if (t.length) reasons.push(`${c}:${t.slice(0, 3).join('|')}`) }

  return {
    isRequest: true, category, urgency, location, confidence: clamp01(confidence), method: 'offline', reasons,
  }
}

const KEY_CONCEPTS: Concept[] = ['facility', 'fault', 'elder', 'elderNeed', 'nuisance', 'conflict', 'env', 'pest', 'hazard', 'policy', 'suggest', 'favour']

// When two categories tie, prefer the one with more specific consequences for the resident.
const TIE: Category[] = ['safety', 'elderly_help', 'repair', 'dispute', 'environment', 'consultation', 'suggestion', 'other']
function tieOrder(c: Category): number { return TIE.indexOf(c) }

function reasonsOf(f: Features, c: Concept): string[] {
  return f.terms(c).slice(0, 3).map(t => `${c}:${t}`)
}

/** A regex match that is not denied, over, or only feared (see NOT_NOW_BEFORE / GONE_AFTER). */
const GLOBAL_RE = new Map<RegExp, RegExp>()
/** A cached global copy of re, reset to the start, for exec() loops over every match. */
function globalOf(re: RegExp): RegExp {
  let g = GLOBAL_RE.get(re)
  if (!g) { g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'); GLOBAL_RE.set(re, g) }
  g.lastIndex = 0
  return g
}
function activeRegex(s: string, re: RegExp): boolean {
  const g = globalOf(re)
  let m: RegExpExecArray | null
  while ((m = g.exec(s)) !== null) {
    const before = clauseBefore(s, m.index, 8)
    const after = clauseAfter(s, m.index + m[0].length, 10)
    if (!notNow(before) && !GONE_AFTER.test(after)) return true
    if (m[0].length === 0) g.lastIndex++
  }
  return false
}

interface UrgencyInput {
  category: Category
  s: string
  f: Features
  urgent: UrgentCue[]
  elderPerson: boolean
  child: boolean
  alone: boolean
  vulnerable: boolean
  /** The danger was only talked about or is over: a cry for help is not taken literally either. */
  calmed: boolean
}

function decideUrgency(x: UrgencyInput): Urgency {
  const { category, s, f } = x
  if (x.urgent.length > 0 && category !== 'suggestion' && category !== 'consultation') return 'urgent'
  // A danger word said by someone in the middle of it, in words no family above names.
  if (!x.calmed && (category === 'safety' || category === 'elderly_help' || category === 'repair') && IN_THE_MIDDLE.test(s)
    && liveDanger(s)) return 'urgent'
  if (!x.calmed && ALARM_CALL.test(s) && (category === 'safety' || category === 'elderly_help' || category === 'repair')) return 'urgent'

  const many = f.has('many') || WE_BUILDING.test(s) && HEATING_OR_WATER_OUT.test(s)
  const timely = f.has('timely')
  switch (category) {
    case 'suggestion':
      return 'low'
    case 'consultation': {
      if (IMMINENT_DEADLINE.test(s)) return 'high'
      if (DEADLINE.test(s) || HARDSHIP.test(s) || (x.elderPerson && /行动不便|中风|残疾|瘫痪|卧床/.test(s))) return 'normal'
      return 'low'
    }
    case 'elderly_help': {
      if ((ADAPTATION.test(s) || SERVICE_INQUIRY.test(s)) && !x.alone && !f.has('distress')) return 'normal'
      if (/借/.test(s) && !x.alone) return 'normal'
      return 'high'
    }
    case 'repair': {
      if (many) return 'high'
      if (ELEVATOR_DOWN.test(s) && !BUTTON.test(s)) return 'high'
      if (x.elderPerson && /(冻|冷|热|晕|病|腿|下不了|上不去|爬不动|走不动|没法|不方便)/.test(s)) return 'high'
      if (x.child && KIDS_EXPOSED.test(s) && !LIGHT_FAULT.test(s)) return 'high'
      if (QUEUE.test(s)) return 'high'
      if (INFANT.test(s) && /(暖气|供暖|冷|冻|热水|停水|停电|没水|没电|度)/.test(s)) return 'high'
      return 'normal'
    }
    case 'safety': {
      if (f.has('manhole') && /(没了|没有了|不见|丢了|缺|窟窿|大坑|大洞|掉下去)/.test(s)) return 'high'
      if (f.has('exposedWire') || /飞线|私拉电线|乱拉电线|漏电/.test(s)) return 'high'
      if (FALLING_THROWN.test(s) || f.has('falling')) return 'high'
      if (PETROL.test(s) || /焦糊味|烧焦|焦味|糊味/.test(s)) return 'high'
      if (f.has('burnDeliberate') && /火|烟/.test(s)) return 'high'
      if (f.has('intruder') && /(今天|刚才|刚刚|现在|正在|还在|挨家挨户|敲门)/.test(s)) return 'high'
      if (x.child && KIDS_EXPOSED.test(s)) return 'high'
      if (f.has('dog') && f.has('bite')) return 'high'
      if (many) return 'high'
      return 'normal'
    }
    case 'environment': {
      if (many && (x.vulnerable || /污水|粪|烧|烟/.test(s))) return 'high'
      if (/(孕妇|婴儿|坐月子)/.test(s)) return 'high'
      if (MINOR_NUISANCE.test(s)) return 'low'
      return 'normal'
    }
    case 'dispute': {
      if (TIME_TO_HOSPITAL.test(s) || (timely && /急/.test(s))) return 'high'
      return 'normal'
    }
    case 'other': {
      if (ONE_OFF_FAVOUR.test(s)) return 'low'
      return 'normal'
    }
  }
}

/** Offline classifier: rules and lexicons only, no network. */
export class OfflineClassifier implements Classifier {
  readonly method = 'offline' as const

  classify(input: ClassifierInput): Promise<Classification> {
    return Promise.resolve(classifyText(input))
  }
}

export function createOfflineClassifier(): OfflineClassifier {
  return new OfflineClassifier()
}

// ------------------------------------------------------------------------------------------------
// Urgency: is there danger to life, health or property right now?

interface People {
  elderPerson: boolean
  child: boolean
  alone: boolean
  deliberateBurn: boolean
}

interface UrgentScan {
  /** Cues that survive the guards: these make the message urgent. */
  cues: UrgentCue[]
  gasLeak: boolean
  fireNow: boolean
  distressNow: boolean
  missingPerson: boolean
  /** Danger words were present but framed as a drill, news, an advert, a question, or over. */
  calmed: boolean
}

/**
 * Is the danger at [start, end) happening now? Not when it is denied, feared, hypothetical (before),
 * past (a time word a little further before), habitual (天天, 经常), gone (after), a topic (着火的事,
 * 困人的时候) or a general how-to question (…了怎么办) from someone not in it.
 */
function liveAt(s: string, start: number, end: number, generic: boolean, swallowed = ''): boolean {
  const before = clauseBefore(s, start, 8) + swallowed
  if (notNow(before) || HABITUAL_BEFORE.test(before) || SPECULATIVE_BEFORE.test(before) || SOMEDAY_BEFORE.test(before)) return false
  if (PAST_TIME_BEFORE.test(clauseBefore(s, start, 14).replace(ONGOING_SINCE, ''))) return false
  if (GONE_AFTER.test(clauseAfter(s, end, 10))) return false
  const next = s.slice(end, end + 12)
  if (TOPIC_AFTER.test(next) || DEVICE_AFTER.test(next)) return false
  if (generic && (HOWTO_AFTER.test(next) || ASKED_AFTER.test(next))) return false
  // 一冒烟就响: a conditional habit.
  if (before.endsWith('一') && ONE_THEN_AFTER.test(next)) return false
  return true
}

function liveMatch(s: string, re: RegExp, generic: boolean): boolean {
  const g = globalOf(re)
  let m: RegExpExecArray | null
  while ((m = g.exec(s)) !== null) {
    if (liveAt(s, m.index, m.index + m[0].length, generic)) return true
    if (m[0].length === 0) g.lastIndex++
  }
  return false
}

/** End of the first resolution (救出来了, 灭了) not followed by "but it is still going"; -1 if none. */
function overAt(s: string, re: RegExp): number {
  const g = globalOf(re)
  let m: RegExpExecArray | null
  while ((m = g.exec(s)) !== null) {
    // "能不能帮忙把总阀关了" asks for the resolution and "没开门了" denies it: neither has happened.
    const before = clauseBefore(s, m.index, 8)
    if (!STILL_AFTER.test(s.slice(m.index + m[0].length, m.index + m[0].length + 8)) && !ASKED_FOR_BEFORE.test(before)
      && !/(没|不|未|别|无)$/.test(before)) return m.index + m[0].length
    if (m[0].length === 0) g.lastIndex++
  }
  return -1
}

const OVER_BY_FAMILY: Partial<Record<Family, RegExp>> = {
  gas: OVER_GAS, fire: OVER_FIRE, lift: OVER_LIFT, animal: OVER_ANIMAL, water: OVER_WATER, person: OVER_PERSON, welfare: OVER_PERSON, missing: OVER_PERSON,
}

/**
 * A distress word about someone down now: not something that happened before (摔过好几次), the lasting
 * effect of an old illness (脑梗后说话不利索), anyone in general (人走都摔倒了), or stroke signs that are
 * not new.
 */
function personDownNow(s: string, h: Hit): boolean {
  if (HAPPENED_BEFORE_AFTER.test(clauseAfter(s, h.end, 10))) return false
  const before = clauseBefore(s, h.start, 12)
  if (SEQUELA_BEFORE.test(before) || GENERIC_PERSON_BEFORE.test(before)) return false
  if (STROKE_SIGN.test(h.term) && !ACUTE.test(s)) return false
  return true
}

/** A live danger word (not past, feared, habitual or happened before) and no frame around the message. */
function liveDanger(s: string): boolean {
  if (DRILL_FRAME.test(s) || NEWS_FRAME.test(s) || COMMERCIAL_FRAME.test(s) || PLANNING_FRAME.test(s) || overAt(s, OVER_GENERIC) >= 0) return false
  const generic = !URGENT_TONE.test(s) && (!/我|咱|俺/.test(s) || QUESTION_LEAD.test(s))
  const g = globalOf(DANGER_STEM)
  let m: RegExpExecArray | null
  while ((m = g.exec(s)) !== null) {
    const end = m.index + m[0].length
    if (liveAt(s, m.index, end, generic) && !HAPPENED_BEFORE_AFTER.test(clauseAfter(s, end, 10))) return true
  }
  return false
}

/** Danger cues in s, before the message-level guards. */
function scanDanger(s: string, f: Features, p: People): UrgentScan {
  const cues: UrgentCue[] = []
  const add = (cue: string, family: Family, category: Category): void => { cues.push({ cue, family, category }) }
  // Someone not involved asking in general (老人走失了怎么办？) is not reporting an event.
  const generic = !URGENT_TONE.test(s) && (!/我|咱|俺/.test(s) || QUESTION_LEAD.test(s))
  const live = (re: RegExp): boolean => liveMatch(s, re, generic)
  const liveHits = (c: Concept): Hit[] => f.of(c).filter(h => liveAt(s, h.start, h.end, generic, h.pattern ? h.term.slice(0, -2) : '')
    && (c !== 'distress' || personDownNow(s, h)))
  const has = (c: Concept): boolean => f.has(c)
  const { elderPerson, child, alone, deliberateBurn } = p
  const lift = ELEVATOR.test(s)

  // gas: a smell, a hiss, an alarm, a burner that will not turn off or is left on with nobody there
  const gasLeak = live(GAS_LEAK) || (has('gasWord') && live(GAS_ESCAPING)) || live(GAS_SMELL_WIDE) || live(GAS_CONTROL_FAIL)
    || (live(GAS_ALARM) && !ALARM_BATTERY.test(s)) || (live(GAS_LEFT_ON) && NOBODY_OR_SMELL.test(s))
  if (gasLeak) add('gas_leak', 'gas', 'safety')
  else if (s.length <= 40 && has('gasWord') && live(ALARM_NOUN)) add('gas_leak', 'gas', 'safety')

  // fire: flames, smoke pouring out, sparks, or a burning smell from wiring and appliances
  let fireNow = false
  // Only smoke or a smell: a neighbour's habit or cooking (烟道往我家冒烟) can look like this; flames cannot.
  let smokeOnly = false
  // Burning paper or rubbish on purpose is a hazard, not a fire, until something else catches.
  if (live(CAUGHT_FIRE) || live(EXTINGUISH_FAIL) || live(THING_CAUGHT) || (!deliberateBurn && live(BURNING_NOW))) fireNow = true
  else if (deliberateBurn ? /着火|起火|失火|火灾|烧起来|烧着了|引燃|点着/.test(s) && live(STRONG_FIRE) : live(STRONG_FIRE) || live(FIRE_PLUS)) fireNow = true
  else if (!deliberateBurn && live(SPARKS) && (POWER_DEVICE.test(s) || ELECTRIC.test(s))) fireNow = true
  else if (!deliberateBurn && !COOKING_SMOKE.test(s) && !NORMAL_FLAME.test(s)) {
    if (live(SMOKE_NOW)) fireNow = smokeOnly = true
    else if (live(WEAK_FIRE) || live(BURNT_SMELL)) {
      // 焦糊味 alone may be someone's cooking; with smoke, wiring or appliances it is a fire.
      const visible = /冒烟|烟雾(?!报警|探测|感应|器)|明火|火光|火苗|一股烟(?!味)|好大的烟|烟很大/.test(s)
      if (visible || (BURNT_SMELL.test(s) && (POWER_DEVICE.test(s) || ELECTRIC_BOX.test(s) || lift))) fireNow = smokeOnly = true
    }
  }
  if (fireNow) add(smokeOnly ? 'smoke' : 'fire', 'fire', 'safety')
  if (live(BATTERY_SWELL)) add('battery_swelling', 'fire', 'safety')

  // electricity: a shock, live metal, water on wiring, arcing, a line down
  if (live(SHOCK) || live(SHOCK_WIDE)) add('electric_shock', 'electric', 'safety')
  if (live(WATER_ON_WIRING) || live(WATER_ELECTRIC)) add('water_on_wiring', 'electric', 'safety')
  if (live(CRACKLE) && ELECTRIC_BOX.test(s)) add('electrical_arcing', 'electric', 'safety')
  if (live(WIRE_DOWN)) add('wire_down', 'electric', 'safety')

  // water: a pipe that burst, or water flooding wiring, lifts, homes or common areas
  const burst = (liveHits('burst').length > 0 && BURST_WATER.test(s)) || live(PIPE_RUPTURE)
  const flood = liveHits('flood').length > 0 || live(DEEP_WATER)
  const heavy = live(HEAVY_WATER) || has('gushing')
  const minor = MINOR_WATER.test(s) && !heavy
  // A drain backing up (地漏返水, 水漫金山) floods one room: a repair, unless it reaches wiring or lifts.
  if ((burst && !minor) || live(FLOOD_STRONG) || (flood && (burst || FLOOD_ELECTRIC.test(s) || lift || DEEP_WATER.test(s) || WATER_SPREAD.test(s)))) {
    add('burst_or_flood', 'water', 'repair')
  }

  // people shut in: a lift, a flooded home; lifts falling; doors catching people
  if (liveHits('trapped').length > 0 || (TRAPPED_CONTEXT.test(s) && lift && PERSON_INSIDE.test(s))
    || (lift && LIFT_STUCK.test(s) && live(LIFT_INSIDE)) || live(ELEVATOR_FALL) || live(LIFT_CATCH) || (lift && (live(SHUT_IN_LIFT) || live(SHUT_IN) || live(PERSON_CAUGHT)))
    || (/\b(lift|elevator)\b/i.test(s) && live(ENGLISH_URGENT))) {
    add('trapped', 'lift', lift ? 'repair' : 'safety')
  } else if (live(PERSON_TRAPPED) || live(SHUT_IN)) add('trapped', 'person', 'safety')
  // a head, hand or foot caught in railings, a lift or a door
  if (live(BODY_STUCK)) add('body_caught', child ? 'child' : 'person', 'safety')

  // people: collapsed, unresponsive, injured, poisoned, in the water, harming themselves
  // 没气了 is a person who stopped breathing, or a gas bottle that ran out.
  const distressNow = liveHits('distress').some(h => !(h.term === '没气了' && (has('gasWord') || has('facility')))) || live(NOT_RESPONDING)
    || live(LYING_DOWN) || live(HEART_SIGNS)
  // A collapsed or sick person: elderly help for older or disabled people, otherwise a safety matter.
  if (distressNow) add('person_in_distress', 'person', elderPerson || !child ? 'elderly_help' : 'safety')
  if (live(ACCIDENT)) add('injury', 'person', elderPerson ? 'elderly_help' : 'safety')
  if (live(MASS_SYMPTOM)) add('mass_illness', 'person', elderPerson ? 'elderly_help' : 'safety')
  if (live(SELF_HARM) || live(SELF_HARM_WIDE) || live(EDGE_DISTRESS)) add('self_harm', 'person', elderPerson ? 'elderly_help' : 'safety')
  if (live(POISON)) add('poisoning', 'person', 'safety')
  if ((live(DROWNING) && (child || elderPerson || /有人|人/.test(s))) || live(SINKING)) add('fall_into_water', 'person', 'safety')
  if (live(TOXIC)) add('toxic_leak', 'toxic', 'safety')

  // someone vulnerable not seen or heard for days, or not answering the door
  if ((elderPerson || alone) && !has('pet') && (live(KNOCK_NO_ANSWER) || live(DAYS_UNSEEN) || live(SMELL_FROM_HOME)
    || (DURATION.test(s) && NO_SIGN_OF_LIFE.test(s)) || f.of('missing').some(h => h.pattern))) {
    add('unresponsive', 'welfare', 'elderly_help')
  }
  // A person gone missing: named (老人走丢了), an elder who went out and is not back, or a person with
  // dementia or a child who "just vanished" (一眨眼人就没了).
  const missingPerson = (MISSING_PERSON.test(s) || (elderPerson && LEFT_NOT_BACK.test(s)) || ((elderPerson || child || DEMENTIA.test(s)) && PERSON_GONE.test(s)))
    && !has('pet') && !has('resolved')
  if (missingPerson && (f.active('missing').length > 0 || PERSON_GONE.test(s)) && (live(MISSING_PERSON) || live(LEFT_NOT_BACK) || live(PERSON_GONE))) {
    add('missing_person', 'missing', child && !elderPerson ? 'safety' : 'elderly_help')
  }

  // children shut in, at a window, in the water, or having swallowed something
  if (live(CHILD_DANGER) || live(CHILD_DANGER_WIDE) || live(CHILD_ALONE) || live(CHILD_CLIMBED) || live(CHILD_INGESTED) || live(CHILD_AT_BROKEN_RAIL)) add('child_in_danger', 'child', 'safety')

  // structures: collapsing, about to fall, or fallen onto people
  const fallingNow = liveHits('falling').length > 0 && !FALLING_THROWN.test(s) && MORE_TO_FALL.test(s)
  const dangling = live(HANGING_OBJECT) || live(SWAYING_HIGH) || ((live(DANGLING) || live(HANGING_STRONG)) && BELOW.test(s) && !LIGHT_THING.test(s))
  if (fallingNow || (dangling && !FALLING_THROWN.test(s))) add('falling_structure', 'structure', 'safety')
  if (live(STRUCTURAL_NOW) || live(COLLAPSE_ONGOING) || live(STORM_BREACH) || (live(BUILDING_SHAKING) && !SHAKING_SOURCE.test(s))) add('structural_danger', 'structure', 'safety')
  if (live(IMMINENT_COLLAPSE)) add('imminent_collapse', 'structure', 'safety')
  if (live(CRUSH)) add('crushed', 'structure', 'safety')

  // violence and crime under way, attacking dogs
  if ((has('intruder') && live(INTRUDER_NOW)) || live(BREAK_IN) || live(THREAT_NOW)) add('break_in_now', 'crime', 'safety')
  if (live(VIOLENCE) || live(WEAPON_FIGHT) || live(DOMESTIC_VIOLENCE)) add('violence', 'crime', 'safety')
  // A dog biting people now; a pet bitten by another dog is a dispute about the owner.
  if (has('dog') && liveHits('bite').some(h => DOG_ATTACK.test(h.term)) && (DOG_NOW.test(s) || BITTEN.test(s))
    && !/(狗|猫|宠物)被[^,，。]{0,8}咬/.test(s)) {
    add('dog_attack', 'animal', 'safety')
  }
  if (live(ANIMAL_ATTACK)) add('animal_attack', 'animal', 'safety')
  // English: gas, a person down; lifts are handled with the other trapped cues above
  if (!/\b(lift|elevator)\b/i.test(s) && live(ENGLISH_URGENT)) add('english_alarm', /gas/i.test(s) ? 'gas' : 'person', /gas/i.test(s) ? 'safety' : 'elderly_help')
  if (live(CALL_POLICE_NOW)) add('police_now', 'call', 'safety')
  if (live(EMERGENCY_CALLED)) add('emergency_services', 'call', elderPerson || distressNow ? 'elderly_help' : 'safety')

  return { cues, gasLeak, fireNow, distressNow, missingPerson, calmed: false }
}

/**
 * Danger cues that make the message urgent: scanDanger, then message-level guards. The whole message
 * may only talk about danger (a drill, the news, an advert, a planning question, a question about
 * money afterwards) or describe a habit; a family of danger may be over (救出来了, 灭了, 找到了) unless
 * the danger comes back after the resolution (醒过来了但是说胸口疼).
 */
function detectUrgent(s: string, f: Features, p: People): UrgentScan {
  const scan = scanDanger(s, f, p)
  const cues = scan.cues
  if (cues.length === 0) return scan
  const tone = URGENT_TONE.test(s)
  const asks = /[?？吗]|多少|怎么|哪/.test(s)
  if (!tone && (DRILL_FRAME.test(s) || NEWS_FRAME.test(s) || COMMERCIAL_FRAME.test(s) || PLANNING_FRAME.test(s) || (POLICY_FOLLOWUP.test(s) && asks))) {
    // Talked about, not happening: the danger words should not make a hazard report either.
    return { ...scan, cues: [], calmed: true, gasLeak: false, fireNow: false }
  }
  const over = overAt(s, OVER_GENERIC)
  if (over >= 0 && !dangerAfter(s, over, p, null)) return { ...scan, cues: [], calmed: true }
  // A habit described (每天晚上在楼道生炉子，烟很大) is a nuisance, not an emergency, unless this time is marked.
  const chronic = HABITUAL_MSG.test(s) && !NOW_MARK.test(s)
  const kept = cues.filter(c => {
    if (chronic && (c.cue === 'smoke' || c.cue === 'burst_or_flood' || c.cue === 'electrical_arcing')) return false
    // Someone away for a reason (住院了, 回老家了) is not someone unresponsive behind a door.
    if (c.family === 'welfare' && EXPLAINED_ABSENCE.test(s)) return false
    const re = OVER_BY_FAMILY[c.family]
    const at = re ? overAt(s, re) : -1
    return at < 0 || dangerAfter(s, at, p, c.family)
  })
  return { ...scan, cues: kept, calmed: kept.length < cues.length }
}

/** Is there danger (of one family, or any) in the text after position at? */
function dangerAfter(s: string, at: number, p: People, family: Family | null): boolean {
  const tail = s.slice(at)
  if (tail.length < 2) return false
  const cues = scanDanger(tail, new Features(tail), p).cues
  return cues.some(c => family === null || c.family === family)
}
