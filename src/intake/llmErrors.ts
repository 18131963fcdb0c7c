/** What the OpenAI-backed helpers (classifier, transcription, digest summary) share about failure. */
import OpenAI from 'openai'

export interface LlmWarnLogger {
  warn(obj: object, msg: string): void
}

/** The model answered, but not with something usable. */
export class LlmOutputError extends Error {
  constructor(readonly code: string, detail: string) {
    super(detail)
    this.name = 'LlmOutputError'
  }
}

/** A short, stable cause for `reasons` (llm_failed:<cause>) and logs. */
export function shortCause(err: unknown): string {
  if (err instanceof LlmOutputError) return err.code
  if (err instanceof OpenAI.APIConnectionTimeoutError) return 'timeout'
  if (err instanceof OpenAI.APIUserAbortError) return 'aborted'
  if (err instanceof OpenAI.APIConnectionError) return 'connection'
  if (err instanceof OpenAI.APIError) return err.status ? `http_${err.status}` : 'api_error'
  return 'unexpected_error'
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
