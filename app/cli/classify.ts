// Batch classification: JSONL in on stdin, JSONL out on stdout, one output line per input line, in
// order. Usage:
//   npm run --silent classify < in.jsonl > out.jsonl            (offline, the default)
//   npm run --silent classify -- --llm < in.jsonl > out.jsonl   (needs OPENAI_API_KEY)
// Input line:  {"id","text","room"?}
// Output line: {"id","is_request","category","urgency","building","confidence","method"}
// No input line may stop the run: blank lines, invalid JSON and odd values are reported on stderr
// and still get an output line (id "line:N", is_request false) so outputs stay aligned with inputs.
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import type { Classification, Classifier } from '../../src/intake/classifier/types.js'

interface OutputLine {
  id: string | number
  is_request: boolean
  category: string | null
  urgency: string | null
  building: string | null
  confidence: number
  method: string
}

const USAGE = `usage: classify [--offline | --llm] < in.jsonl > out.jsonl
  --offline  the trained offline model and danger net, no network (default)
  --llm      OpenAI-compatible model (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL), offline fallback
  --concurrency N   parallel requests with --llm (default 4)`

function parseArgs(argv: string[]): { mode: 'offline' | 'llm'; concurrency: number } {
  let mode: 'offline' | 'llm' = 'offline'
  let concurrency = 4
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--offline') mode = 'offline'
    else if (a === '--llm') mode = 'llm'
    else if (a === '--concurrency') concurrency = Math.max(1, Number(argv[++i]) || 1)
    else if (a === '--help' || a === '-h') { process.stdout.write(USAGE + '\n'); process.exit(0) }
    else { process.stderr.write(`classify: unknown argument ${a}\n${USAGE}\n`); process.exit(2) }
  }
  return { mode, concurrency }
}

async function makeLlmClassifier(fallback: Classifier): Promise<Classifier> {
  const apiKey = process.env.OPENAI_API_KEY
  if (!apiKey) {
    process.stderr.write('classify: --llm needs OPENAI_API_KEY in the environment (or use --offline)\n')
    process.exit(2)
  }
  // A variable specifier keeps this file compiling whether or not llm.ts exists yet.
  const specifier = '../../src/intake/classifier/llm.js'
  let mod: Record<string, unknown>
  try {
    mod = (await import(specifier)) as Record<string, unknown>
  } catch (err) {
    process.stderr.write(`classify: the LLM classifier is not available (${(err as Error).message}); use --offline\n`)
    process.exit(2)
  }
  const create = mod.createLlmClassifier
  if (typeof create !== 'function') {
    process.stderr.write('classify: src/intake/classifier/llm.ts does not export createLlmClassifier; use --offline\n')
    process.exit(2)
  }
  return (create as (config: Record<string, unknown>) => Classifier)({
    apiKey,
    baseURL: process.env.OPENAI_BASE_URL || undefined,
    model: process.env.OPENAI_MODEL || 'gpt-4o-mini',
    timeoutMs: Number(process.env.OPENAI_TIMEOUT_MS) || 20_000,
    maxRetries: Number(process.env.OPENAI_MAX_RETRIES) || 2,
    fallback,
  })
}

function toOutput(id: string | number, c: Classification): OutputLine {
  return {
    id,
    is_request: c.isRequest,
    category: c.isRequest ? c.category : null,
    urgency: c.isRequest ? c.urgency : null,
    building: c.location.building,
    confidence: Math.round(c.confidence * 1000) / 1000,
    method: c.method,
  }
}

function errorLine(id: string | number, method: string): OutputLine {
  return { id, is_request: false, category: null, urgency: null, building: null, confidence: 0, method }
}

interface Parsed { id: string | number; text: string; room: string | null }

/** Parses one input line; returns an error message instead of throwing. */
function parseLine(line: string, lineNo: number): Parsed | { id: string; error: string } {
  const fallbackId = `line:${lineNo}`
  if (!line.trim()) return { id: fallbackId, error: 'blank line' }
  let obj: unknown
  try {
    obj = JSON.parse(line)
  } catch (err) {
    return { id: fallbackId, error: `invalid JSON (${(err as Error).message})` }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return { id: fallbackId, error: 'not a JSON object' }
  const o = obj as Record<string, unknown>
  const id = typeof o.id === 'string' || (typeof o.id === 'number' && Number.isFinite(o.id)) ? o.id : fallbackId
  const text = typeof o.text === 'string' ? o.text : o.text == null ? '' : String(o.text)
  const room = typeof o.room === 'string' ? o.room : null
  return { id, text, room }
}

async function main(): Promise<void> {
  const { mode, concurrency } = parseArgs(process.argv.slice(2))
  const offline = new OfflineClassifier()
  const classifier: Classifier = mode === 'llm' ? await makeLlmClassifier(offline) : offline
  const window = mode === 'llm' ? concurrency : 1

  // A closed pipe (e.g. `| head`) is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })

  const write = async (o: OutputLine): Promise<void> => {
    if (!process.stdout.write(JSON.stringify(o) + '\n')) await once(process.stdout, 'drain')
  }

  const classifyOne = async (line: string, lineNo: number): Promise<OutputLine> => {
    const p = parseLine(line, lineNo)
    if ('error' in p) {
      process.stderr.write(`classify: line ${lineNo}: ${p.error}\n`)
      return errorLine(p.id, classifier.method)
    }
    try {
      return toOutput(p.id, await classifier.classify({ text: p.text, room: p.room }))
    } catch (err) {
      process.stderr.write(`classify: line ${lineNo}: classification failed (${(err as Error).message})\n`)
      return errorLine(p.id, classifier.method)
    }
  }

  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false })
  // Ordered pipeline: up to `window` classifications in flight, written in input order.
  const pending: Promise<OutputLine>[] = []
  let lineNo = 0
  for await (const raw of rl) {
    lineNo++
    // Files saved by some Windows editors start with a byte-order mark.
    const line = lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw
    pending.push(classifyOne(line, lineNo))
    if (pending.length >= window) await write(await pending.shift()!)
  }
  while (pending.length) await write(await pending.shift()!)
}

main().catch(err => {
  process.stderr.write(`classify: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
