import type { DataSource } from 'typeorm'
import type { VirtualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import type { Classification, Classifier, ClassifierInput } from '../../src/intake/classifier/types.js'
import type { IntakeDeps } from '../../src/intake/pipeline.js'
import { silentLogger } from '../../src/logger.js'

/** A scripted classifier: each rule maps a pattern to a classification, so pipeline tests don't depend on the lexicon. */
export function stubClassifier(rules: { match: RegExp; result: Partial<Classification> }[]): Classifier & { calls: ClassifierInput[] } {
  const calls: ClassifierInput[] = []
  return {
    method: 'offline',
    calls,
    async classify(input) {
      calls.push(input)
      const rule = rules.find((r) => r.match.test(input.text))
      const base: Classification = { isRequest: false, category: null, urgency: null, location: { building: null, unit: null, room: null }, confidence: 0.9, method: 'offline', reasons: ['stub'] }
      return rule ? { ...base, isRequest: true, category: 'repair', urgency: 'normal', ...rule.result, location: { ...base.location, ...(rule.result.location ?? {}) } } : base
    },
  }
}

export function intakeDeps(db: DataSource, clock: VirtualClock, classifier: Classifier, env: Record<string, string> = {}): IntakeDeps {
  return { db, clock, classifier, logger: silentLogger, config: parseConfig({ NODE_ENV: 'test', ...env }) }
}
