// The 三率 and figures for the dashboard (GET /api/dashboard) and the weekly digest.
export { computeStats, median, type GridStats, type Rate, type RequestBrief, type Stats, type StatsQuery } from './rates.js'
export { previousWeek, localDate } from './period.js'
export { renderDigestHtml, renderDigestText, summaryInput, periodLabel, DIGEST_MAX_CHARS, type DigestFigures } from './render.js'
export { slaColor, type SlaColor } from '../jobs/sla.js'
