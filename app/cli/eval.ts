// npm run eval: honest figures for the offline classifier.
//   1. leave-one-batch-out: for each corpus batch, train on the other batches and score that one;
//   2. the dev set (../shared/eval/dev.jsonl), scored once with a model trained on every batch. The dev set
//      is never trained or tuned on; its misses are never printed.
// Scoring is ../shared/eval/score.mjs itself (EVAL_SCORER / EVAL_DEV override the paths).
// Options: --misses (print batch-out misses), --only batch-a[,batch-b], --set notRequestBias=0.1,dangerMakesRequest=false,
// --no-holdout and --no-dev (while tuning: only the batch-out figures), --no-cache.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { batchFiles, examplesOf, readBatch, type CorpusLine } from '../../src/intake/classifier/corpus.js'
import { DECISION, decide, type DecisionSettings } from '../../src/intake/classifier/decision.js'
import { LinearModel, type ModelFile } from '../../src/intake/classifier/model.js'
import { CUE_FAMILIES, FRAMINGS } from '../../src/intake/classifier/danger.js'
import { FEATURES_VERSION } from '../../src/intake/classifier/features.js'
import { TRAINING_DEFAULTS, trainModel, type LabelledExample } from '../../src/intake/classifier/training.js'

const args = process.argv.slice(2)
const arg = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined }
const SCORER = resolve(process.env.EVAL_SCORER ?? '../shared/eval/score.mjs')
const DEV = resolve(process.env.EVAL_DEV ?? '../shared/eval/dev.jsonl')
if (!existsSync(SCORER)) { console.error(`eval: scorer not found at ${SCORER} (set EVAL_SCORER)`); process.exit(2) }

const settings: DecisionSettings = { ...DECISION }
for (const kv of (arg('--set') ?? '').split(',').filter(Boolean)) {
  const [k, v] = kv.split('=') as [keyof DecisionSettings, string]
  ;(settings as unknown as Record<string, unknown>)[k] = v === 'true' ? true : v === 'false' ? false : Number(v)
}

const tmp = mkdtempSync(join(tmpdir(), 'jiesu-eval-'))

// Fold models are cached by what they depend on (the examples, the feature/training code and the danger
// tables, whose findings are model inputs), so trying decision settings does not retrain (bump
// FEATURES_VERSION when features change). --no-cache retrains anyway; JIESU_EVAL_CACHE puts the cache elsewhere (one per worktree, so that parallel runs do not collide).
const CACHE = process.env.JIESU_EVAL_CACHE || join(tmpdir(), 'jiesu-eval-cache')
function foldKey(examples: LabelledExample[]): string {
  return createHash('sha256').update(JSON.stringify({ FEATURES_VERSION, TRAINING_DEFAULTS, CUE_FAMILIES, FRAMINGS })).update(JSON.stringify(examples)).digest('hex').slice(0, 16)
}
function trained(examples: LabelledExample[]): LinearModel {
  const key = foldKey(examples)
  const path = join(CACHE, `${key}.json`)
  if (!args.includes('--no-cache') && existsSync(path)) return new LinearModel(JSON.parse(readFileSync(path, 'utf8')) as ModelFile)
  const file = trainModel(examples)
  mkdirSync(CACHE, { recursive: true })
  writeFileSync(path, JSON.stringify(file))
  return new LinearModel(file)
}
interface Gold { id: string; text: string; room: string | null; is_request: boolean; urgency?: string | null }
const FORMAL = /尊敬的|市长|恳请|反映.{0,20}(问题|情况)|特此|此致/

function score(name: string, gold: Gold[], goldPath: string, model: LinearModel, withMisses: boolean): Record<string, number> {
  const predPath = join(tmp, `${name}.pred.jsonl`)
  let formal = 0, formalHit = 0
  const lines = gold.map(g => {
    const c = decide({ text: g.text, room: g.room }, model, settings)
    if (g.is_request && FORMAL.test(g.text)) { formal++; if (c.isRequest) formalHit++ }
    if (withMisses && c.urgency === 'urgent' && g.urgency !== 'urgent') {
      console.log(`  false-urgent ${name} ${g.id} (${g.urgency ?? 'not a request'}) [${c.reasons.join(' ')}] — ${g.text.slice(0, 80).replace(/\n/g, ' ')}`)
    }
    if (withMisses && g.urgency === 'urgent' && c.urgency !== 'urgent') console.log(`  urgent-miss ${name} ${g.id} got ${c.urgency} [${c.reasons.join(' ')}] — ${g.text.slice(0, 80).replace(/\n/g, ' ')}`)
    if (withMisses && c.isRequest !== g.is_request) console.log(`  request-miss ${name} ${g.id} want ${g.is_request} [${c.reasons.join(' ')}] — ${g.text.slice(0, 80).replace(/\n/g, ' ')}`)
    return JSON.stringify({ id: g.id, is_request: c.isRequest, category: c.category, urgency: c.urgency, building: c.location.building })
  })
  writeFileSync(predPath, lines.join('\n') + '\n')
  const r = JSON.parse(execFileSync('node', [SCORER, goldPath, predPath, '--json'], { encoding: 'utf8' })) as Record<string, number>
  if (withMisses) {
    const text = execFileSync('node', [SCORER, goldPath, predPath, '--misses'], { encoding: 'utf8' })
    const byId = new Map(gold.map(g => [g.id, g]))
    for (const l of text.split('\n').filter(l => l.startsWith('miss '))) {
      const m = JSON.parse(l.slice(5)) as { id: string; want: string; got: string }
      console.log(`  miss ${name} ${m.id}: want ${m.want}, got ${m.got} — ${byId.get(String(m.id))?.text.slice(0, 90)}`)
    }
  }
  return { ...r, formal_recall: formal ? formalHit / formal : NaN, formal_n: formal }
}

const COLS: [string, string][] = [
  ['request_f1', 'request F1'], ['category_macro_f1', 'category macro-F1'], ['urgent_recall', 'urgent recall'],
  ['urgent_precision', 'urgent precision'], ['building_accuracy', 'building acc.'], ['formal_recall', 'formal complaints'],
]
const fmt = (x: number | undefined) => (x == null || Number.isNaN(x) ? '—' : x.toFixed(3))
const row = (name: string, n: number, r: Record<string, number>) => `| ${name} | ${n} | ${COLS.map(([k]) => fmt(r[k])).join(' | ')} |`
const header = `| test set | lines | ${COLS.map(c => c[1]).join(' | ')} |\n|---|---|${COLS.map(() => '---').join('|')}|`

const batches = batchFiles().map(readBatch)
for (const b of batches) for (const p of b.problems) console.error(`skipped ${p}`)
const only = arg('--only')?.split(',')
const toGold = (l: CorpusLine): Gold => ({ id: l.id, text: l.text, room: l.room, is_request: l.is_request, urgency: l.urgency })
console.log(`leave-one-batch-out (train on the other ${batches.length - 1} batches, score the one named)\n`)
console.log(header)
const sums: Record<string, number> = {}
let folds = 0
const t0 = performance.now()
for (const held of batches) {
  if (only && !only.includes(held.name)) continue
  const train = batches.filter(b => b !== held).flatMap(examplesOf)
  const model = trained(train)
  const goldPath = join(tmp, `${held.name}.gold.jsonl`)
  writeFileSync(goldPath, held.lines.map(l => JSON.stringify(l)).join('\n') + '\n')
  const r = score(held.name, held.lines.map(toGold), goldPath, model, args.includes('--misses'))
  console.log(row(held.name, held.lines.length, r))
  for (const [k] of COLS) sums[k] = (sums[k] ?? 0) + (Number.isNaN(r[k]!) ? 0 : r[k]!)
  folds++
}
if (folds > 1) console.log(row('**mean**', batches.reduce((s, b) => s + b.lines.length, 0), Object.fromEntries(COLS.map(([k]) => [k, sums[k]! / folds]))))
console.log(`\n(${folds} folds in ${((performance.now() - t0) / 1000).toFixed(0)} s)`)

// Held-out batches (data/intake/holdout/): written by further writers after the model and its settings were
// fixed; never trained or tuned on. Scored with the model trained on every corpus batch.
const HOLDOUT = resolve(process.env.JIESU_CORPUS_DIR || 'data/intake', 'holdout')
if (!only && !args.includes('--no-holdout') && existsSync(HOLDOUT) && batchFiles(HOLDOUT).length) {
  const model = trained(batches.flatMap(examplesOf))
  console.log(`\nheld-out batches (never trained or tuned on; model ${model.version} trained on all ${batches.length} batches)\n`)
  console.log(header)
  for (const held of batchFiles(HOLDOUT).map(readBatch)) {
    const goldPath = join(tmp, `holdout-${held.name}.gold.jsonl`)
    writeFileSync(goldPath, held.lines.map(l => JSON.stringify(l)).join('\n') + '\n')
    console.log(row(held.name, held.lines.length, score(held.name, held.lines.map(toGold), goldPath, model, false)))
  }
}

if (!only && !args.includes('--no-dev')) {
  if (!existsSync(DEV)) console.log(`\ndev set not found at ${DEV}; skipped`)
  else {
    const model = trained(batches.flatMap(examplesOf))
    const gold = execFileSync('cat', [DEV], { encoding: 'utf8' }).split('\n').filter(l => l.trim()).map(l => JSON.parse(l) as Gold)
    const r = score('dev', gold, DEV, model, false)
    console.log(`\ndev set (never trained or tuned on; model ${model.version} trained on all ${batches.length} batches)\n`)
    console.log(header)
    console.log(row('dev.jsonl', gold.length, r))
  }
}
