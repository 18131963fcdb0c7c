// Memory probe for the offline classifier's parts, each alone, in a fresh process:
//   node --expose-gc --import tsx bench/rssProbe.ts <part> [calls]
// part: classify | jieba | normalize | features | model | none. Prints one JSON line every 10,000 calls:
// RSS, heap used, external and array buffers in MB after a full GC, so growth outside the JS heap shows.
import { createRequire } from 'node:module'
import { featuresOf, canonicalText } from '../src/intake/classifier/features.js'
import { shippedModel } from '../src/intake/classifier/model.js'
import { classifyText } from '../src/intake/classifier/offlineClassifier.js'
import { corpus } from './corpus.js'

const [part = 'classify', callsArg = '100000'] = process.argv.slice(2)
const N = Number(callsArg)
const texts = corpus(5000, 11)
const mb = (b: number) => Math.round(b / 1e5) / 10
const require = createRequire(import.meta.url)

const sample = (calls: number) => {
  global.gc?.()
  const m = process.memoryUsage()
  console.log(JSON.stringify({ part, calls, rss_mb: mb(m.rss), heap_mb: mb(m.heapUsed), external_mb: mb(m.external), array_buffers_mb: mb(m.arrayBuffers) }))
}
const parts: Record<string, () => (t: string, k: number) => unknown> = {
  none: () => () => undefined,
  normalize: () => (t) => canonicalText(t),
  jieba: () => {
    const { Jieba } = require('@node-rs/jieba') as typeof import('@node-rs/jieba')
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array }
    const j = Jieba.withDict(dict)
    return (t: string) => j.cut(t, false)
  },
  features: () => (t) => featuresOf(t, 'group'),
  model: () => { const m = shippedModel(); const fs = texts.map((t) => featuresOf(t, 'group')); return (_t: string, k: number) => m.kind.score(fs[k % fs.length]!) },
  classify: () => (t) => classifyText({ text: t, room: '3号楼业主群' }),
}
const make = parts[part]
if (!make) throw new Error(`unknown part ${part}`)
sample(-1)
const run = make()
sample(0)
for (let k = 0; k < N; k++) {
  run(texts[(k * 7) % texts.length]!, k)
  if ((k + 1) % 10_000 === 0) sample(k + 1)
}
