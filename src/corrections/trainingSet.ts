import type { EntityManager } from 'typeorm'
import { batchFiles, examplesOf, readBatch } from '../intake/classifier/corpus.js'
import type { LabelledExample } from '../intake/classifier/training.js'
import { correctionExamples } from './feedback.js'

export interface TrainingSetProps {
  /** Corpus folder with batch-*.jsonl; defaults to data/intake/. */
  corpusDir?: string
  /** With a database: the stored staff corrections are added (`npm run train -- --with-feedback`). */
  em?: EntityManager
  /** Report lines of the corpus that were skipped as invalid. */
  onProblem?: (problem: string) => void
}

/** What `npm run train` learns from: every corpus batch, then (optionally) the staff corrections. */
export async function trainingSet(p: TrainingSetProps = {}): Promise<LabelledExample[]> {
  const examples: LabelledExample[] = []
  for (const path of batchFiles(p.corpusDir)) {
    const batch = readBatch(path)
    for (const problem of batch.problems) p.onProblem?.(problem)
    examples.push(...examplesOf(batch))
  }
  if (p.em) examples.push(...(await correctionExamples(p.em)))
  return examples
}
