// npm run train [-- --with-feedback] [-- --out path]: builds data/intake/model.json from the corpus
// (data/intake/batch-*.jsonl) and, with --with-feedback, the staff corrections stored in DATABASE_URL.
// Deterministic: the same corpus and corrections give the same file, byte for byte.
import { writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { loadConfig } from '../../src/config.js'
import { correctionExamples } from '../../src/corrections/feedback.js'
import { openDatabase } from '../../src/db/dataSource.js'
import { batchFiles, examplesOf, readBatch } from '../../src/intake/classifier/corpus.js'
import { DEFAULT_MODEL_PATH } from '../../src/intake/classifier/model.js'
import { trainModel, type LabelledExample } from '../../src/intake/classifier/training.js'

const args = process.argv.slice(2)
const withFeedback = args.includes('--with-feedback')
const outAt = args.indexOf('--out')
const out = outAt >= 0 ? args[outAt + 1]! : DEFAULT_MODEL_PATH

const t0 = performance.now()
const examples: LabelledExample[] = []
for (const path of batchFiles()) {
  const batch = readBatch(path)
  for (const p of batch.problems) console.error(`skipped ${p}`)
  examples.push(...examplesOf(batch))
}
if (examples.length === 0) { console.error('train: no corpus lines in data/intake/batch-*.jsonl'); process.exit(1) }
if (withFeedback) {
  const config = await loadConfig()
  const db = await openDatabase(config.DATABASE_URL)
  try {
    const corrections = await correctionExamples(db.manager)
    console.log(`corrections from the database: ${corrections.length}`)
    examples.push(...corrections)
  } finally {
    await db.destroy()
  }
}
const model = trainModel(examples)
writeFileSync(out, JSON.stringify(model) + '\n')
const kb = Math.round(JSON.stringify(model).length / 1024)
console.log(`trained ${model.version} on ${examples.length} examples ${JSON.stringify(model.trainedOn)} in ${((performance.now() - t0) / 1000).toFixed(1)} s → ${out} (${kb} KB)`)
