// The offline classifier: the committed model (data/intake/model.json) behind the decision of ./decision.ts.
// No network; the model is loaded once, when the first classifier is made (at start-up).
import { decide } from './decision.js'
import { shippedModel, type LinearModel } from './model.js'
import type { Classification, Classifier, ClassifierInput } from './types.js'
import { emptyLocation } from './types.js'

export class OfflineClassifier implements Classifier {
  readonly method = 'offline' as const
  readonly model: LinearModel
  constructor(model: LinearModel = shippedModel()) {
    this.model = model
  }

  classify(input: ClassifierInput): Promise<Classification> {
    return Promise.resolve(classifyWith(this.model, input))
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
