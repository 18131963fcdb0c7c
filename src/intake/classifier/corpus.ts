// The training corpus: data/intake/batch-*.jsonl, one labelled message a line in the dev-set format
// (id, text, room, is_request, category, urgency, building, alt, ambiguous) plus a `family` field.
import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { CATEGORIES, URGENCIES } from '../../community/taxonomy.js'
import type { LabelledExample } from './training.js'

export const CORPUS_DIR = fileURLToPath(new URL('../../../data/intake/', import.meta.url))

export const corpusLine = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  text: z.string().min(1),
  room: z.string().nullable().optional().transform(v => v ?? null),
  is_request: z.boolean(),
  category: z.enum(CATEGORIES).nullable(),
  urgency: z.enum(URGENCIES).nullable(),
  building: z.string().nullable().optional(),
  alt: z.array(z.string()).optional(),
  ambiguous: z.boolean().optional(),
  family: z.string().optional(),
}).refine(o => (o.is_request ? o.category !== null && o.urgency !== null : o.category === null && o.urgency === null), {
  message: 'a request needs a category and an urgency; a non-request has neither',
})
export type CorpusLine = z.infer<typeof corpusLine>

export interface CorpusBatch { name: string; path: string; lines: CorpusLine[]; problems: string[] }

/** The batch files (batch-*.jsonl) of a corpus folder (JIESU_CORPUS_DIR overrides data/intake/), sorted by name. */
export function batchFiles(dir = process.env.JIESU_CORPUS_DIR || CORPUS_DIR): string[] {
  return readdirSync(dir).filter(f => /^batch-[\w-]+\.jsonl$/.test(f)).sort().map(f => join(dir, f))
}

/** Reads one batch; a line that is not valid is reported, never silently used. */
export function readBatch(path: string): CorpusBatch {
  const problems: string[] = []
  const lines: CorpusLine[] = []
  readFileSync(path, 'utf8').split('\n').forEach((raw, i) => {
    if (!raw.trim()) return
    let value: unknown
    try { value = JSON.parse(raw) } catch { problems.push(`${basename(path)}:${i + 1}: invalid JSON`); return }
    const parsed = corpusLine.safeParse(value)
    if (!parsed.success) { problems.push(`${basename(path)}:${i + 1}: ${parsed.error.issues.map(x => `${x.path.join('.')} ${x.message}`).join('; ')}`); return }
    lines.push(parsed.data)
  })
  return { name: basename(path, '.jsonl'), path, lines, problems }
}

/** Training examples of a batch. Lines marked ambiguous (the request call itself is a judgment) are left out. */
export function examplesOf(batch: CorpusBatch): LabelledExample[] {
  return batch.lines.filter(l => !l.ambiguous).map(l => ({
    text: l.text, room: l.room, isRequest: l.is_request, category: l.category, urgency: l.urgency, source: batch.name,
  }))
}
