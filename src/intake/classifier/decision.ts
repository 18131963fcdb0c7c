// Step 4 of the offline classifier: the decision.
//
// features (./features.ts) → model scores (./model.ts) → danger net (./danger.ts) → one Classification:
//   1. messages with no words, media placeholders and instructions aimed at the bot are not requests;
//   2. the model's `kind` head says "not a request" or a category; its `urgency` head gives the urgency;
//   3. a live danger found by the net makes the message an urgent request (it never lowers anything);
//   4. the building comes from the message, else from the group's name (./location.ts).
import type { Category, Urgency } from '../../community/taxonomy.js'
import { extractLocation } from '../location.js'
import { findDanger } from './danger.js'
import { canonicalText, featuresOfCanonical } from './features.js'
import { looksLikePromptInjection } from './injection.js'
import { best, type LinearModel, type Scores } from './model.js'
import { NOT_A_REQUEST } from './training.js'
import type { Classification, ClassifierInput } from './types.js'

/** The few knobs of the decision, tuned only on leave-one-batch-out scores (`npm run eval`). */
export interface DecisionSettings {
  /** Added to the "not a request" score: > 0 makes the classifier more reluctant to file requests. */
  notRequestBias: number
  /** Extra for private chats and the mini-program, where a message is addressed to the community itself. */
  notRequestBiasDirect: number
  /** A live danger in a message the model took for chatter still files an urgent request. */
  dangerMakesRequest: boolean
  /** Softmax temperature turning scores into a confidence. */
  temperature: number
  /** Without a live danger, the model's own "urgent" stands only when it is at least this sure (else its next choice). */
  modelUrgentMinP: number
  /**
   * A live danger makes the request urgent unless the urgency model (which sees the danger too) gives
   * "urgent" less than this probability. 0 = the net always wins (recall first).
   */
  dangerUrgentMinP: number
  /** With no live danger, "urgent" wins when the urgency model gives it at least this probability, even if not its first choice (recall over precision). */
  urgentAtP: number
  /**
   * A direct message this short ("hello", "4", "积分") that the model files only unsurely, with no danger, no
   * place and no pressing urgency, says too little to act on: it is answered as chatter (the bot asks what is
   * wrong) instead of becoming a ticket that a grid leader has to decipher.
   */
  vagueMaxChars: number
  vagueMaxConfidence: number
}

export const DECISION: DecisionSettings = { notRequestBias: -0.2, notRequestBiasDirect: -0.2, dangerMakesRequest: true, temperature: 0.25, modelUrgentMinP: 0, dangerUrgentMinP: 0, urgentAtP: 0.28, vagueMaxChars: 6, vagueMaxConfidence: 0.35 }

const PLACEHOLDER_ONLY = /^(\s*\[[^\]]{1,8}\]\s*)+$/
const HAS_WORD = /[\p{Script=Han}a-z0-9]/iu

/** "xxxxxxxx…", "哈哈哈哈哈哈": a long run of two or three characters says nothing. */
function isRepeatedJunk(s: string): boolean {
  if (s.length < 12) return false
  return new Set(s.replace(/\s/g, '')).size <= 3
}

function chatter(c: Pick<Classification, 'location' | 'confidence' | 'reasons' | 'version'>): Classification {
  return { isRequest: false, category: null, urgency: null, method: 'offline', ...c }
}

/** Best category among the kind head's labels, skipping "not a request". */
function bestCategory(s: Scores): Category {
  let bi = -1
  for (let i = 0; i < s.labels.length; i++) {
    if (s.labels[i] === NOT_A_REQUEST) continue
    if (bi < 0 || s.scores[i]! > s.scores[bi]!) bi = i
  }
  return s.labels[bi] as Category
}

export function decide(input: ClassifierInput, model: LinearModel, settings: DecisionSettings = DECISION): Classification {
  const text = input && typeof input.text === 'string' ? input.text : ''
  const room = input?.room ?? null
  const version = model.version
  const location = extractLocation(text, room, { roomFallback: true })
  const s = canonicalText(text)
  if (!s) return chatter({ location, confidence: 0.99, reasons: ['empty'], version })
  if (PLACEHOLDER_ONLY.test(s)) return chatter({ location, confidence: 0.97, reasons: ['media_placeholder'], version })
  if (!HAS_WORD.test(s) || isRepeatedJunk(s)) return chatter({ location, confidence: 0.95, reasons: ['no_words'], version })
  if (looksLikePromptInjection(text)) return chatter({ location, confidence: 0.95, reasons: ['prompt_injection'], version })

  const danger = findDanger(s)
  const features = featuresOfCanonical(s, room, danger)
  const kind = model.kind.score(features)
  const none = kind.labels.indexOf(NOT_A_REQUEST)
  kind.scores[none]! += settings.notRequestBias + (room === 'private' || room === 'miniprogram' ? settings.notRequestBiasDirect : 0)
  const top = best(kind, settings.temperature)
  const reasons = [`model:${top.label}`, ...danger.live.map(f => `danger:${f}`), ...danger.cancelled.map(c => `danger_cancelled:${c.family}:${c.by}`)]

  let isRequest = top.label !== NOT_A_REQUEST
  if (!isRequest && danger.live.length > 0 && settings.dangerMakesRequest) {
    isRequest = true
    reasons.push('danger_makes_request')
  }
  if (!isRequest) return chatter({ location, confidence: round(top.p), reasons, version })

  const category = top.label === NOT_A_REQUEST ? bestCategory(kind) : (top.label as Category)
  const urgencyScores = model.urgency.score(features)
  const byModel = best(urgencyScores, settings.temperature)
  let urgency = byModel.label as Urgency
  const pUrgent = probabilityOf(urgencyScores, 'urgent', settings.temperature)
  if (urgency !== 'urgent' && pUrgent >= settings.urgentAtP) { urgency = 'urgent'; reasons.push('model_urgent_likely') }
  if (danger.live.length > 0 && pUrgent >= settings.dangerUrgentMinP) urgency = 'urgent'
  else if (danger.live.length > 0 && urgency !== 'urgent') reasons.push('danger_not_urgent_by_model')
  else if (byModel.label === 'urgent' && byModel.p < settings.modelUrgentMinP) {
    urgencyScores.scores[byModel.index] = -Infinity
    urgency = best(urgencyScores, settings.temperature).label as Urgency
    reasons.push('model_urgent_unsure')
  }
  // Confidence of the request/category call: how much the chosen category beats the rest.
  const confidence = top.label === NOT_A_REQUEST ? 0.5 : round(top.p)
  if ((room === 'private' || room === 'miniprogram') && danger.live.length === 0 && confidence < settings.vagueMaxConfidence
    && (urgency === 'normal' || urgency === 'low') && !location.building && contentLength(text) <= settings.vagueMaxChars) {
    return chatter({ location, confidence: round(1 - confidence), reasons: [...reasons, 'too_vague'], version })
  }
  return { isRequest: true, category, urgency, location, confidence, method: 'offline', reasons, version }
}

/** Letters and characters, without spaces, punctuation, symbols and digits. */
const contentLength = (text: string): number => text.replace(/[\s\p{P}\p{S}\p{N}]/gu, '').length

/** Softmax probability of one label. */
function probabilityOf(s: Scores, label: string, temperature: number): number {
  const at = s.labels.indexOf(label)
  let max = -Infinity
  for (const x of s.scores) if (x > max) max = x
  let z = 0
  for (const x of s.scores) z += Math.exp((x - max) / temperature)
  return Math.exp((s.scores[at]! - max) / temperature) / z
}

const round = (x: number): number => Math.round(x * 1000) / 1000
