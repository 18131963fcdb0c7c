import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { parseDuration } from '../../src/clock.js'

/**
 * A scenario for `npm run simulate`: who says what, where, and how much time passes.
 *
 *   {"start": "2026-11-23T09:00:00+08:00", "community": "community.yaml", "steps": [
 *     {"from": "李阿姨", "room": "幸福里3号楼业主群", "text": "3号楼楼道灯坏了"},
 *     {"from": "王芳", "text": "接单 {{req1}}"},
 *     {"from": "李阿姨", "room": "幸福里3号楼业主群", "image": true},
 *     {"wait": "PT2H"}]}
 *
 * A message step has `from` and exactly one of `text`, `image: true`, `voice: true`; `room` makes it a group
 * message (else a private chat with the bot). Optional: `mention: true` @-mentions the bot, `twice: true`
 * delivers the same WeChat message twice (as a flaky network does). A wait step has `wait` (ISO-8601 duration)
 * or `until` (an ISO date-time).
 */
export type MessageStep = {
  from: string
  room?: string
  text?: string
  image?: true
  voice?: true
  mention?: boolean
  twice?: boolean
  /** another WeChat account showing the same name (an impostor): a separate contact, never bound */
  impostor?: boolean
}
export type WaitStep = { wait: string; ms: number } | { until: string; at: Date }
export type Step = MessageStep | WaitStep

export interface Scenario {
  file: string
  start: Date
  /** absolute path, or null for the shipped sample */
  community: string | null
  steps: Step[]
}

export class ScenarioError extends Error {
  constructor(readonly file: string, readonly path: string, readonly problem: string) {
    super(`${file}${path ? `: ${path}` : ''}: ${problem}`)
    this.name = 'ScenarioError'
  }
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/
const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `the string ${JSON.stringify(v)}` : `${typeof v} ${JSON.stringify(v)}`)
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function parseInstant(file: string, path: string, v: unknown): Date {
  if (typeof v !== 'string' || !ISO_DATETIME.test(v) || Number.isNaN(Date.parse(v))) {
    throw new ScenarioError(file, path, `expected an ISO-8601 date-time with a UTC offset such as "2026-11-23T09:00:00+08:00", got ${describe(v)}`)
  }
  return new Date(v)
}

const MESSAGE_KEYS = new Set(['from', 'room', 'text', 'image', 'voice', 'mention', 'twice', 'impostor'])

function parseStep(file: string, path: string, v: unknown): Step {
  if (!isObject(v)) throw new ScenarioError(file, path, `expected an object like {"from": …, "text": …} or {"wait": "PT2H"}, got ${describe(v)}`)
  if ('wait' in v || 'until' in v) {
    const extra = Object.keys(v).filter((k) => k !== 'wait' && k !== 'until')
    if (extra.length) throw new ScenarioError(file, `${path}.${extra[0]}`, 'unexpected field in a wait step (a wait step has only "wait" or "until")')
    if ('wait' in v && 'until' in v) throw new ScenarioError(file, path, 'give either "wait" or "until", not both')
    if ('until' in v) return { until: v.until as string, at: parseInstant(file, `${path}.until`, v.until) }
    let ms: number
    try {
      if (typeof v.wait !== 'string') throw new Error()
      ms = parseDuration(v.wait)
    } catch {
      throw new ScenarioError(file, `${path}.wait`, `expected an ISO-8601 duration such as "PT2H", "PT30M" or "P1D", got ${describe(v.wait)}`)
    }
    if (ms <= 0) throw new ScenarioError(file, `${path}.wait`, 'the duration must be longer than zero')
    return { wait: v.wait as string, ms }
  }
  for (const k of Object.keys(v)) if (!MESSAGE_KEYS.has(k)) throw new ScenarioError(file, `${path}.${k}`, `unexpected field (allowed: ${[...MESSAGE_KEYS].join(', ')}, or wait/until)`)
  if (!('from' in v)) throw new ScenarioError(file, `${path}.from`, 'missing: who sends the message (a WeChat name)')
  if (typeof v.from !== 'string' || !v.from.trim()) throw new ScenarioError(file, `${path}.from`, `expected a non-empty WeChat name, got ${describe(v.from)}`)
  if ('room' in v && (typeof v.room !== 'string' || !v.room.trim())) throw new ScenarioError(file, `${path}.room`, `expected a group topic, got ${describe(v.room)}`)
  const contents = ['text', 'image', 'voice'].filter((k) => k in v)
  if (contents.length !== 1) throw new ScenarioError(file, path, `a message step needs exactly one of "text", "image": true, "voice": true (got ${contents.length ? contents.join(' and ') : 'none'})`)
  if ('text' in v && (typeof v.text !== 'string' || !v.text.trim())) throw new ScenarioError(file, `${path}.text`, `expected non-empty text, got ${describe(v.text)}`)
  for (const k of ['image', 'voice'] as const) if (k in v && v[k] !== true) throw new ScenarioError(file, `${path}.${k}`, `expected true, got ${describe(v[k])}`)
  for (const k of ['mention', 'twice', 'impostor'] as const) if (k in v && typeof v[k] !== 'boolean') throw new ScenarioError(file, `${path}.${k}`, `expected true or false, got ${describe(v[k])}`)
  return {
    from: (v.from as string).trim(),
    ...(typeof v.room === 'string' ? { room: v.room.trim() } : {}),
    ...(typeof v.text === 'string' ? { text: v.text } : {}),
    ...(v.image ? { image: true as const } : {}),
    ...(v.voice ? { voice: true as const } : {}),
    ...(v.mention ? { mention: true } : {}),
    ...(v.twice ? { twice: true } : {}),
    ...(v.impostor ? { impostor: true } : {}),
  }
}

/** Validates a parsed scenario document; `file` names it in errors and anchors relative paths. */
export function parseScenario(doc: unknown, file: string, now: Date = new Date()): Scenario {
  if (!isObject(doc)) throw new ScenarioError(file, '', `expected a JSON object with "steps", got ${describe(doc)}`)
  for (const k of Object.keys(doc)) if (!['start', 'community', 'steps'].includes(k)) throw new ScenarioError(file, k, 'unexpected field (allowed: start, community, steps)')
  const start = doc.start === undefined ? now : parseInstant(file, 'start', doc.start)
  let community: string | null = null
  if (doc.community !== undefined) {
    if (typeof doc.community !== 'string' || !doc.community.trim()) throw new ScenarioError(file, 'community', `expected a path to a community YAML file, got ${describe(doc.community)}`)
    community = isAbsolute(doc.community) ? doc.community : resolve(dirname(resolve(file)), doc.community)
  }
  if (!Array.isArray(doc.steps)) throw new ScenarioError(file, 'steps', doc.steps === undefined ? 'missing: the list of steps' : `expected an array, got ${describe(doc.steps)}`)
  const steps = doc.steps.map((s, i) => parseStep(file, `steps[${i}]`, s))
  return { file, start, community, steps }
}

/** Line and column of a character offset, for JSON syntax errors. */
function lineCol(source: string, offset: number) {
  const before = source.slice(0, offset).split('\n')
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`
}

/** Reads and validates a scenario file; every problem is a ScenarioError naming the file and where. */
export function loadScenario(file: string, now?: Date): Scenario {
  let source: string
  try {
    source = readFileSync(file, 'utf8')
  } catch (e) {
    throw new ScenarioError(file, '', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(source)
  } catch (e) {
    const msg = (e as Error).message
    const pos = /position (\d+)/.exec(msg)
    throw new ScenarioError(file, '', `not valid JSON${pos ? ` at ${lineCol(source, Number(pos[1]))}` : ''}: ${msg}`)
  }
  return parseScenario(doc, file, now)
}

/** {{req1}}, {{req2}} … → the numbers of the first, second … request created in this run. */
export function fillPlaceholders(text: string, numbers: string[], file: string, path: string): string {
  return text.replace(/\{\{\s*req(\d+)\s*\}\}/g, (_, n: string) => {
    const i = Number(n)
    if (i < 1) throw new ScenarioError(file, path, `{{req${n}}}: requests are counted from 1`)
    const no = numbers[i - 1]
    if (no === undefined) {
      throw new ScenarioError(file, path, `{{req${n}}} refers to the request #${i} of this run, but only ${numbers.length} ${numbers.length === 1 ? 'has' : 'have'} been created by this step (a report merged into an earlier request, or one that was chatter, creates none)`)
    }
    return no
  })
}
