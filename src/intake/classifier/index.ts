// Public surface of the classifier folder: features → model → danger net → decision (see README).
// The LLM classifier lives in ./llm.ts (imported directly by callers that need it, so the offline path
// never loads the OpenAI client).
export type { Classification, Classifier, ClassifierInput, ClassifierMethod, Location } from './types.js'
export { OfflineClassifier, classifyText, classifyWith, createOfflineClassifier } from './offlineClassifier.js'
export { CUE_FAMILIES, FRAMINGS, findDanger } from './danger.js'
