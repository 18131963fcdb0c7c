// Throughput of the offline classifier on one core: `npm run bench`.
// The corpus is generated here from templates (not from any labelled set) so that it mixes short
// and long messages, traditional characters, emoji, addresses, announcements and chit-chat.
import { performance } from 'node:perf_hooks'
import { classifyText } from '../src/intake/classifier/offlineClassifier.js'
import { corpus } from './corpus.js'

const N = Number(process.env.BENCH_N) || 50_000
const texts = corpus(N)

// Warm up the JIT and the lazy singletons (opencc dictionaries, the jieba dictionary, the model file).
for (let i = 0; i < 2_000; i++) classifyText({ text: texts[i % texts.length]! })

const gc = (globalThis as { gc?: () => void }).gc
gc?.()
const before = process.memoryUsage()
let requests = 0
const cpu0 = process.cpuUsage()
const t0 = performance.now()
for (const text of texts) if (classifyText({ text }).isRequest) requests++
const ms = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
// CPU time is what one core spends: on a shared machine, wall time also counts waiting for the core.
const cpuMs = (cpu.user + cpu.system) / 1000
const after = process.memoryUsage()

const mb = (b: number) => (b / 1024 / 1024).toFixed(1)
const rate = Math.round(N / (ms / 1000))
const avgLen = Math.round(texts.reduce((s, t) => s + t.length, 0) / N)
console.log(`offline classifier: ${N} messages (avg ${avgLen} chars) in ${ms.toFixed(0)} ms`)
const cpuRate = Math.round(N / (cpuMs / 1000))
console.log(`throughput: ${rate.toLocaleString('en-US')} msgs/s wall clock; ${cpuRate.toLocaleString('en-US')} msgs per CPU-second on one core (target ≥ 5,000)${cpuRate >= 5000 ? '' : '  BELOW TARGET'}`)
console.log(`mean latency: ${((ms * 1000) / N).toFixed(1)} µs/msg; ${requests} classified as requests`)
console.log(`memory: rss ${mb(after.rss)} MB, heapUsed ${mb(after.heapUsed)} MB (Δ ${mb(after.heapUsed - before.heapUsed)} MB during run)`)
