// Throughput of the offline classifier on one core: `npm run bench`.
// The corpus is generated here from templates (not from any labelled set) so that it mixes short
// and long messages, traditional characters, emoji, addresses, announcements and chit-chat.
import { performance } from 'node:perf_hooks'
import { classifyText } from '../src/intake/classifier/offline.js'
import { corpus } from './corpus.js'

const N = Number(process.env.BENCH_N) || 50_000
const texts = corpus(N)

// Warm up the JIT and the lazy singletons (opencc dictionaries, lexicon trie).
for (let i = 0; i < 2_000; i++) classifyText({ text: texts[i % texts.length]! })

const gc = (globalThis as { gc?: () => void }).gc
gc?.()
const before = process.memoryUsage()
let requests = 0
const t0 = performance.now()
for (const text of texts) if (classifyText({ text }).isRequest) requests++
const ms = performance.now() - t0
const after = process.memoryUsage()

const mb = (b: number) => (b / 1024 / 1024).toFixed(1)
const rate = Math.round(N / (ms / 1000))
const avgLen = Math.round(texts.reduce((s, t) => s + t.length, 0) / N)
console.log(`offline classifier: ${N} messages (avg ${avgLen} chars) in ${ms.toFixed(0)} ms`)
console.log(`throughput: ${rate.toLocaleString('en-US')} msgs/s on one core (target ≥ 5,000)${rate >= 5000 ? '' : '  BELOW TARGET'}`)
console.log(`mean latency: ${((ms * 1000) / N).toFixed(1)} µs/msg; ${requests} classified as requests`)
console.log(`memory: rss ${mb(after.rss)} MB, heapUsed ${mb(after.heapUsed)} MB (Δ ${mb(after.heapUsed - before.heapUsed)} MB during run)`)
