// Step 2 of the offline classifier: the trained linear model.
//
// The model file (data/intake/model.json, built by `npm run train`) holds two heads over the sparse
// features of ./features.ts: `kind` (not a request, or one of the categories) and `urgency` (trained on
// requests only). Each head is a weight vector per feature plus a bias per label; a message's score for a
// label is the bias plus the weights of the features it has. The weights come from a library trainer
// (./training.ts); this file only reads them, fast, with no dependency on the library.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const MODEL_FORMAT = 'jiesu-linear-1'

export interface HeadFile {
  labels: string[]
  bias: number[]
  /** feature → one weight per label (features whose weights are all ~0 are left out) */
  weights: Record<string, number[]>
}

export interface ModelFile {
  format: typeof MODEL_FORMAT
  /** Content hash of the weights: what every classification records. */
  version: string
  /** The learning library and its settings, for the record. */
  trainer: { library: string; settings: Record<string, unknown> }
  /** What it was trained on: example count per source (batch files, corrections). */
  trainedOn: Record<string, number>
  heads: { kind: HeadFile; urgency: HeadFile }
}

export interface Scores { labels: readonly string[]; scores: Float64Array }

export class LinearHead {
  readonly labels: readonly string[]
  private readonly bias: Float64Array
  /** feature → offset of its weights in `table` (one flat array: fewer objects, faster look-ups) */
  private readonly rows = new Map<string, number>()
  private readonly table: Float32Array

  constructor(h: HeadFile) {
    this.labels = h.labels
    this.bias = Float64Array.from(h.bias)
    const n = h.labels.length
    const entries = Object.entries(h.weights)
    this.table = new Float32Array(entries.length * n)
    entries.forEach(([f, w], r) => {
      this.rows.set(f, r * n)
      for (let i = 0; i < n; i++) this.table[r * n + i] = w[i] ?? 0
    })
  }

  score(features: readonly string[]): Scores {
    const s = Float64Array.from(this.bias)
    const n = s.length
    const t = this.table
    for (const f of features) {
      const at = this.rows.get(f)
      if (at !== undefined) for (let i = 0; i < n; i++) s[i]! += t[at + i]!
    }
    return { labels: this.labels, scores: s }
  }
}

export class LinearModel {
  readonly version: string
  readonly kind: LinearHead
  readonly urgency: LinearHead
  /** The file's record (version, trainer, what it was trained on). Not its weights: the heads hold them packed, and the parsed arrays (~10 MB of heap) are let go. */
  readonly file: Omit<ModelFile, 'heads'>
  constructor(file: ModelFile) {
    if (file.format !== MODEL_FORMAT) throw new Error(`unsupported model format ${String(file.format)} (expected ${MODEL_FORMAT})`)
    this.version = file.version
    this.kind = new LinearHead(file.heads.kind)
    this.urgency = new LinearHead(file.heads.urgency)
    const { heads: _weights, ...record } = file
    this.file = record
  }
}

/** Index of the best score, and a 0..1 margin-based confidence (softmax over the scores). */
export function best(s: Scores, temperature = 1): { label: string; index: number; p: number } {
  let bi = 0
  for (let i = 1; i < s.scores.length; i++) if (s.scores[i]! > s.scores[bi]!) bi = i
  let z = 0
  for (let i = 0; i < s.scores.length; i++) z += Math.exp((s.scores[i]! - s.scores[bi]!) / temperature)
  return { label: s.labels[bi]!, index: bi, p: 1 / z }
}

export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../../../data/intake/model.json', import.meta.url))

export function loadModelFile(path = DEFAULT_MODEL_PATH): ModelFile {
  return JSON.parse(readFileSync(path, 'utf8')) as ModelFile
}

let shipped: LinearModel | null = null
/** The committed model, loaded once (at start-up: the offline classifier's constructor asks for it). */
export function shippedModel(): LinearModel {
  if (!shipped) shipped = new LinearModel(loadModelFile())
  return shipped
}
