// The offline classifier: the committed model (data/intake/model.json) behind the decision of ./decision.ts.
// No network; the model is loaded once, when the first classifier is made (at start-up).
import { decide } from './decision.js'
import { shippedModel, type LinearModel } from './model.js'
import type { Classification, Classifier, ClassifierInput } from './types.js'
import { emptyLocation } from './types.js'
import { LeastRecentlyUsed } from '../../lru.js'

/** Classifications remembered per classifier: the same words in the same chat are classified once. */
const REMEMBERED = 2000
/** Longer texts (pastes) are classified each time rather than kept. */
const REMEMBERED_MAX_CHARS = 500

export class OfflineClassifier implements Classifier {
  readonly method = 'offline' as const
  readonly model: LinearModel
  /** By room and text: the model is fixed for the instance, so this is exact. */
  private readonly remembered = new LeastRecentlyUsed<string, Classification>(REMEMBERED)
  constructor(model: LinearModel = shippedModel()) {
    this.model = model
  }

  classify(input: ClassifierInput): Promise<Classification> {
    if (input.text.length > REMEMBERED_MAX_CHARS) return Promise.resolve(classifyWith(this.model, input))
    const key = `${input.room ?? ''}\u0000${input.text}`
    let known = this.remembered.get(key)
    if (!known) this.remembered.set(key, (known = classifyWith(this.model, input)))
    // A copy: callers may add to what they are given.
    return Promise.resolve({ ...known, location: { ...known.location }, reasons: [...known.reasons] })
  }
}

/** Synchronous classification. Never throws; always returns taxonomy values. */
export function classifyWith(model: LinearModel, input: ClassifierInput): Classification {
  try {
    return decide(input, model)
  } catch {
    return { isRequest: false, category: null, urgency: null, location: emptyLocation(), confidence: 0.1, method: 'offline', reasons: ['internal_error'], version: model.version }
  }
}

/** Synchronous classification with the committed model. */
export function classifyText(input: ClassifierInput): Classification {
  return classifyWith(shippedModel(), input)
}

export function createOfflineClassifier(model?: LinearModel): OfflineClassifier {
  return new OfflineClassifier(model)
}
