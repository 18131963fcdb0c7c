import type { Config } from '../config.js'
import type { Logger } from '../logger.js'
import { createLlmClassifier } from './classifier/llm.js'
import { OfflineClassifier } from './classifier/offlineClassifier.js'
import type { Classifier } from './classifier/types.js'

/** The LLM classifier when OPENAI_API_KEY is set (falling back to offline on any failure), else offline. */
export function createClassifier(config: Config, logger: Logger): Classifier {
  const offline = new OfflineClassifier()
  if (!config.OPENAI_API_KEY) return offline
  return createLlmClassifier({
    apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL, model: config.OPENAI_MODEL,
    timeoutMs: config.OPENAI_TIMEOUT_MS, maxRetries: config.OPENAI_MAX_RETRIES, fallback: offline, logger,
  })
}
