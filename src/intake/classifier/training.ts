// How the model of ./model.ts is learned: labelled examples → features → one linear head for
// "not a request or which category" and one for urgency. The optimiser is @nlpjs/neural's (one
// perceptron per label, gradient descent with momentum, deterministic for a given input order); this
// file only prepares the data and turns the trained network into the compact model file.
import { createHash } from 'node:crypto'
import { NeuralNetwork, type NeuralSettings } from '@nlpjs/neural'
import { CATEGORIES, URGENCIES, type Category, type Urgency } from '../../community/taxonomy.js'
import { featuresOf } from './features.js'
import { MODEL_FORMAT, type HeadFile, type ModelFile } from './model.js'

/** One labelled message: a corpus line or a stored staff correction. */
export interface LabelledExample {
  text: string
  room: string | null
  isRequest: boolean
  category: Category | null
  urgency: Urgency | null
  /** Where it came from (batch-a, corrections …): counted in the model file. */
  source: string
  /** Staff corrections count more than corpus lines: they are what the product got wrong. */
  weight?: number
}

export interface TrainOptions {
  /** Features seen in fewer examples than this are dropped (noise, and a smaller file). */
  minCount?: number
  /** Settings for @nlpjs/neural. */
  neural?: NeuralSettings
  /**
   * Class balancing: each example of a label is shown round(sqrt(median count / label count)) times (at least
   * once), so a rare category (other, suggestion) is not drowned by repair. The median is over the head's labels.
   */
  balance?: boolean
}

export const NOT_A_REQUEST = 'none'
export const TRAINING_DEFAULTS: Required<TrainOptions> = {
  minCount: 2,
  balance: true,
  neural: { iterations: 120, learningRate: 0.02, momentum: 0.5, alpha: 0.07, errorThresh: 0.00005, deltaErrorThresh: 0.0000001 },
}
/** Weights closer to 0 than this are not stored. */
const EPSILON = 1e-4
const round = (x: number): number => Math.round(x * 1e5) / 1e5

interface Row { features: string[]; label: string; weight: number }

/** How many times each label's examples are shown (see TrainOptions.balance). */
function copiesPerLabel(rows: Row[], balance: boolean): Map<string, number> {
  const n = new Map<string, number>()
  for (const r of rows) n.set(r.label, (n.get(r.label) ?? 0) + 1)
  const sorted = [...n.values()].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)] ?? 1
  return new Map([...n].map(([label, count]) => [label, balance ? Math.max(1, Math.round(Math.sqrt(median / count))) : 1]))
}

function trainHead(rows: Row[], labels: readonly string[], opts: Required<TrainOptions>): HeadFile {
  const copies = copiesPerLabel(rows, opts.balance)
  const counts = new Map<string, number>()
  for (const r of rows) for (const f of r.features) counts.set(f, (counts.get(f) ?? 0) + r.weight)
  const corpus: { input: Record<string, number>; output: Record<string, number> }[] = []
  for (const r of rows) {
    const input: Record<string, number> = {}
    for (const f of r.features) if ((counts.get(f) ?? 0) >= opts.minCount) input[f] = 1
    for (let k = 0; k < r.weight * copies.get(r.label)!; k++) corpus.push({ input, output: { [r.label]: 1 } })
  }
  const net = new NeuralNetwork({ log: false, ...opts.neural })
  net.train(corpus)
  const json = net.toJSON()
  // The network's output is alpha × (bias + Σ weights): store the weights pre-scaled so a score is that output.
  const alpha = opts.neural.alpha ?? 0.07
  const bias = labels.map(l => {
    const i = json.intents.indexOf(l)
    return i < 0 ? -1 : round(alpha * json.perceptrons[i]![json.features.length]!)
  })
  const weights: Record<string, number[]> = {}
  json.features.forEach((f, j) => {
    const w = labels.map(l => {
      const i = json.intents.indexOf(l)
      return i < 0 ? 0 : round(alpha * json.perceptrons[i]![j]!)
    })
    if (w.some(x => Math.abs(x) >= EPSILON)) weights[f] = w
  })
  return { labels: [...labels], bias, weights }
}

/** Trains both heads. Deterministic: the same examples in the same order give the same file. */
export function trainModel(examples: readonly LabelledExample[], options: TrainOptions = {}): ModelFile {
  const opts: Required<TrainOptions> = { ...TRAINING_DEFAULTS, ...options, neural: { ...TRAINING_DEFAULTS.neural, ...options.neural } }
  const rows = examples.map(e => ({ e, features: featuresOf(e.text, e.room) }))
  const kindRows: Row[] = rows.map(({ e, features }) => ({
    features, label: e.isRequest && e.category ? e.category : NOT_A_REQUEST, weight: e.weight ?? 1,
  }))
  const urgencyRows: Row[] = rows
    .filter(({ e }) => e.isRequest && e.urgency)
    .map(({ e, features }) => ({ features, label: e.urgency!, weight: e.weight ?? 1 }))
  const heads = {
    kind: trainHead(kindRows, [NOT_A_REQUEST, ...CATEGORIES], opts),
    urgency: trainHead(urgencyRows, URGENCIES, opts),
  }
  const trainedOn: Record<string, number> = {}
  for (const e of examples) trainedOn[e.source] = (trainedOn[e.source] ?? 0) + 1
  const version = 'offline-' + createHash('sha256').update(JSON.stringify(heads)).digest('hex').slice(0, 12)
  return { format: MODEL_FORMAT, version, trainer: { library: '@nlpjs/neural', settings: { minCount: opts.minCount, balance: opts.balance, ...opts.neural } }, trainedOn, heads }
}
