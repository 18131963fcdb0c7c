import { ValidationError } from '../errors.js'

/**
 * The longest free text each field takes, whatever the channel (the API's schemas and the bot's commands use
 * the same numbers): within the columns on MySQL (TEXT holds 65,535 bytes, up to 4 per character), and short
 * enough to read in a notification.
 */
export const TEXT_LIMITS = {
  resolutionNote: 500,
  returnReason: 200,
  comment: 500,
  ratingWords: 500,
} as const

const LABELS: Record<keyof typeof TEXT_LIMITS, string> = {
  resolutionNote: '处理说明', returnReason: '退单原因', comment: '补充说明', ratingWords: '评价',
}

/** The text, or a clear Chinese error naming the field and its limit. */
export function withinLimit(field: keyof typeof TEXT_LIMITS, text: string): string {
  const max = TEXT_LIMITS[field]
  if (text.length > max) throw new ValidationError(`${LABELS[field]}太长了（${text.length} 字），请控制在 ${max} 字以内`, { field, max })
  return text
}
