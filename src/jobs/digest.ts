import type { DataSource, EntityManager } from 'typeorm'
import type { Clock } from '../clock.js'
import { loadCommunity, secretaryOf } from '../community/snapshot.js'
import type { Config } from '../config.js'
import { consoleLinks } from '../console/login.js'
import { dialectOf } from '../db/dataSource.js'
import { Community, Digest } from '../db/entities/index.js'
import { inTransaction } from '../db/transaction.js'
import { summarizeDigest } from '../intake/llmTasks.js'
import type { Logger } from '../logger.js'
import { enqueue, PRIORITY } from '../outbox/outbox.js'
import { draftToStaff } from '../requests/notify.js'
import { previousWeek } from '../stats/period.js'
import { computeStats } from '../stats/rates.js'
import { groundedSummary, renderDigestText, summaryInput, type DigestFigures } from '../stats/render.js'
import type { JobRunSummary } from './types.js'
import { proactiveDigest } from '../proactive/digest.js'

export { renderDigestHtml, renderDigestText, summaryInput, type DigestFigures } from '../stats/render.js'

/** Writes a three-sentence summary from the figures only; null on failure (the digest goes out without it). */
export type DigestSummarizer = (figures: object) => Promise<string | null>

export interface DigestDeps {
  db: DataSource
  clock: Clock
  logger?: Logger
  config?: Pick<Config, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'OPENAI_MODEL' | 'OPENAI_TIMEOUT_MS' | 'OPENAI_MAX_RETRIES'>
  /** PUBLIC_URL (or its default): the DM then links to the digest in the console */
  publicUrl?: string
  /** overrides the LLM summary (tests); by default one is written only when OPENAI_API_KEY is set */
  summarize?: DigestSummarizer | null
}

function summarizerOf(deps: DigestDeps): DigestSummarizer | null {
  if (deps.summarize !== undefined) return deps.summarize
  const c = deps.config
  if (!c?.OPENAI_API_KEY) return null
  return (figures) => summarizeDigest({
    apiKey: c.OPENAI_API_KEY!, baseURL: c.OPENAI_BASE_URL, model: c.OPENAI_MODEL, timeoutMs: c.OPENAI_TIMEOUT_MS, maxRetries: c.OPENAI_MAX_RETRIES, logger: deps.logger,
  }, figures)
}

/**
 * The weekly digest for every community: the previous Monday 00:00 – Sunday 24:00 (community time) before
 * `scheduledAt`. Stored once per community and period (unique index), and the DM to the 书记 is written with
 * the stored row in the same transaction, so a second run, or a racing instance, sends nothing twice.
 */
export async function runWeeklyDigest(deps: DigestDeps, scheduledAt: Date): Promise<JobRunSummary> {
  const communities = await deps.db.getRepository(Community).find({ order: { id: 'ASC' } })
  const digests: number[] = []
  for (const community of communities) {
    try {
      const id = await digestFor(deps, community, scheduledAt)
      if (id != null) digests.push(id)
    } catch (err) {
      deps.logger?.error({ err, communityId: community.id }, 'weekly digest failed')
    }
  }
  return { acted: digests.length, details: { digestIds: digests } }
}

/** Whether the INSERT … IGNORE just executed in this transaction inserted its row (or was ignored as a duplicate). */
async function insertedOne(em: EntityManager, raw: unknown): Promise<boolean> {
  if (dialectOf(em) === 'mysql') return Number((raw as { affectedRows?: number } | undefined)?.affectedRows ?? 0) === 1
  // better-sqlite3: one connection, transactions queued, so changes() is this statement's.
  const rows: { n: number }[] = await em.query('SELECT changes() AS n')
  return Number(rows[0]?.n) === 1
}

/** Creates one community's digest for the week before `at`; returns its id, or null when it already existed. */
export async function digestFor(deps: DigestDeps, community: Community, at: Date): Promise<number | null> {
  const { from, to } = previousWeek(at, community.timezone)
  const existing = await deps.db.getRepository(Digest).findOne({ where: { communityId: community.id, periodStart: from } })
  if (existing) return null
  const now = deps.clock.now()
  const stats = await computeStats(deps.db.manager, { communityId: community.id, from, to, now })
  const figures: DigestFigures = { ...stats, community: { id: community.id, name: community.name, timezone: community.timezone } }
  // The LLM call happens outside the transaction; it sees numbers only, never residents' words.
  const summarize = summarizerOf(deps)
  const input = summaryInput(figures)
  const raw = summarize ? await summarize(input).catch(() => null) : null
  const summary = groundedSummary(raw, input)
  if (raw && !summary) deps.logger?.warn({ communityId: community.id }, 'digest summary dropped: it was empty or cited numbers that are not in the figures')
  // 未诉先办: care visits, recurring problems and topics (issue 14), appended after the 三率.
  const proactive = await proactiveDigest(deps.db.manager, { communityId: community.id, from, to, now })
  const text = [renderDigestText(figures, summary), ...proactive.lines].join('\n')
  return inTransaction(deps.db, async (em) => {
    const inserted = await em.createQueryBuilder().insert().into(Digest).values({
      communityId: community.id, periodStart: from, periodEnd: to, figures: { ...figures, proactive: proactive.figures } as never, text, summary, createdAt: now,
    }).orIgnore().execute()
    const won = await insertedOne(em, inserted.raw)
    const row = await em.findOneOrFail(Digest, { where: { communityId: community.id, periodStart: from } })
    const secretary = secretaryOf(await loadCommunity(em, community.id))
    // The DM links to the digest in the console (which asks for the usual 后台 login).
    const link = deps.publicUrl ? `\n\n在工作台查看完整周报：${consoleLinks.digest(deps.publicUrl, row.id)}` : ''
    const draft = draftToStaff(secretary, `digest:${community.id}:${from.getTime()}`, row.text + link, { priority: PRIORITY.digest })
    if (draft) await enqueue(em, deps.clock, [draft])
    else deps.logger?.warn({ communityId: community.id }, 'weekly digest stored but the community has no active secretary to send it to')
    return won ? row.id : null
  })
}
