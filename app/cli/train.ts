// npm run train [-- --with-feedback] [-- --out path]: builds data/intake/model.json from the corpus
// (data/intake/batch-*.jsonl) and, with --with-feedback, the staff corrections stored in DATABASE_URL.
// Deterministic: the same corpus and corrections give the same file, byte for byte.
import { writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { loadConfig } from '../../src/config.js'
import { trainingSet } from '../../src/corrections/trainingSet.js'
import { openDatabase } from '../../src/db/dataSource.js'
import { DEFAULT_MODEL_PATH } from '../../src/intake/classifier/model.js'
import { trainModel } from '../../src/intake/classifier/training.js'

const args = process.argv.slice(2)
const outAt = args.indexOf('--out')
const out = outAt >= 0 ? args[outAt + 1]! : DEFAULT_MODEL_PATH

const t0 = performance.now()
const db = args.includes('--with-feedback') ? await openDatabase((await loadConfig()).DATABASE_URL) : null
const examples = await trainingSet({ em: db?.manager, onProblem: (p) => console.error(`skipped ${p}`) }).finally(() => db?.destroy())
if (examples.length === 0) { console.error('train: no corpus lines in data/intake/batch-*.jsonl'); process.exit(1) }
const model = trainModel(examples)
const json = JSON.stringify(model)
writeFileSync(out, json + '\n')
console.log(`trained ${model.version} on ${examples.length} examples ${JSON.stringify(model.trainedOn)} in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${out} (${Math.round(json.length / 1024)} KB)`)
