// Public surface of the classifier folder. The LLM classifier lives in ./llm.ts (imported directly
// by callers that need it, so the offline path never loads the OpenAI client).
export type { Classification, Classifier, ClassifierInput, ClassifierMethod, Location } from './types.js'
export { OfflineClassifier, classifyText, createOfflineClassifier } from './offline.js'
export { LEXICON, type Concept } from './lexicon.js'
