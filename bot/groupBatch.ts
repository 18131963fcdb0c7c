import type { DataSource } from 'typeorm'
import type { Clock } from '../src/clock.js'
import { StaleConfigError } from '../src/community/cache.js'
import { hasOpenNotices } from '../src/conversation/notices.js'
import { chatKeyOf, openPrompts, sendersWithPrompts, type OpenPromptProps } from '../src/conversation/prompts.js'
import { residentsWithCallbacks } from '../src/requests/callbackAnswer.js'
import type { InboxMessage, Resident } from '../src/db/entities/index.js'
import { isDuplicateKeyError } from '../src/db/insertRows.js'
import { autocommit, inTransaction } from '../src/db/transaction.js'
import { markProcessedMany, receivedFields, recordInbox, recordInboxMany, type ReceivedMessage } from '../src/inbox/inbox.js'
import { isDatabaseOutage, withTimeout } from '../src/inbox/spool.js'
import { fileReportBatch, type BatchReport } from '../src/intake/reportBatchFiler.js'
import type { Logger } from '../src/logger.js'
import { missingQuestions } from './conversation.js'
import { errorText, type Handling, type Outcome } from './handling.js'
import { plainGroupText, type PlainGroupText } from './plainGroupText.js'
import type { Handled } from './processor.js'

/** The most messages one batch takes: one transaction, a fixed number of statements. */
export const GROUP_BATCH_SIZE = 128

export interface GroupBatchDeps {
  handling: Handling
  /** How long keeping the batch's messages may take before the database counts as away. */
  inboxTimeoutMs: number
  /** The processor's own handling of one kept row (its failures recorded), for what is not plain. */
  processRow(row: InboxMessage): Promise<Handled>
  /** The database is away: the message goes to the spool. */
  toSpool(m: ReceivedMessage, cause: unknown): Handled
  /** Kept rows being processed (a second delivery of one is a duplicate). */
  inFlight: Set<number>
}

interface Queued {
  m: ReceivedMessage
  /** read ahead while the batch before it waited on the database */
  plain?: Promise<PlainGroupText | null>
  chat: string
  /** the chat's earlier work done in the usual way, which this must wait for (null: none) */
  after: Promise<unknown> | null
  ready: boolean
  /** kept already (a batch deferred it) */
  row: InboxMessage | null
  /** the sender's resident row as the batch read it (null: none yet) */
  resident?: Resident | null
  done(h: Handled): void
}

/** The queued messages by community (in their order). */
function byCommunity(qs: Iterable<Queued>, communityOf: (q: Queued) => number): Map<number, Queued[]> {
  const groups = new Map<number, Queued[]>()
  for (const q of qs) {
    const c = communityOf(q)
    const list = groups.get(c)
    if (list) list.push(q)
    else groups.set(c, [q])
  }
  return groups
}

/**
 * Group texts under load, many at a time (issue 12). While messages wait — a burst in one group, many groups at
 * once — each batch keeps the waiting ones in one INSERT (committed before anything is done with them), then
 * files the plain ones (bot/plainGroupText.ts) in one transaction: src/intake/reportBatchFiler.ts for the reports,
 * one UPDATE marking every row processed with the request it led to. What is not plain is handled one message at
 * a time, as always, and its chat's later messages wait for it: each chat's messages are handled in the order they
 * came. A failed batch is handled one message at a time. A lone message never waits for a batch (the processor
 * takes it the one-commit way).
 */
export class GroupBatch {
  private queue: Queued[] = []
  private draining: Promise<void> | null = null
  private again = false
  private starting: NodeJS.Immediate | null = null

  constructor(private readonly deps: GroupBatchDeps) {}

  private get db(): DataSource { return this.deps.handling.ctx.db }
  private get clock(): Clock { return this.deps.handling.ctx.clock }
  private get log(): Logger { return this.deps.handling.ctx.logger }

  /** Queues a group text; resolves once it is handled. `after`: the chat's earlier work that is not in this queue. */
  submit(m: ReceivedMessage, chat: string, after: Promise<unknown> | null): Promise<Handled> {
    return new Promise<Handled>((done) => {
      const q: Queued = { m, chat, after, ready: after === null, row: null, done }
      if (after) void after.catch(() => undefined).then(() => { q.ready = true; this.kick() })
      this.queue.push(q)
      this.kick()
    })
  }

  private kick(): void {
    if (this.draining) { this.again = true; return }
    if (this.starting) return
    // Started on the next turn of the event loop: messages handed over together (a burst) go in one batch.
    this.starting = setImmediate(() => {
      this.starting = null
      this.again = false
      this.draining = this.drain().finally(() => {
        this.draining = null
        if (this.again) this.kick() // something arrived, or became ready, while draining
      })
    })
  }

  private async drain(): Promise<void> {
    for (;;) {
      // In order, up to a batch: a chat whose earlier message is not ready (or not taken) waits as a whole, and so
      // does one whose sender spoke already in this batch — what the first says may open a question the second
      // answers (几号楼几单元), which only a batch read after this one's commit sees.
      const batch: Queued[] = [], left: Queued[] = [], waits = new Set<string>(), senders = new Set<string>()
      for (const q of this.queue) {
        const sender = `${q.chat}\u0000${q.m.senderName}`
        if (batch.length < GROUP_BATCH_SIZE && q.ready && !waits.has(q.chat) && !senders.has(sender)) { batch.push(q); senders.add(sender) }
        else { waits.add(q.chat); left.push(q) }
      }
      if (!batch.length) return // everything left waits for its chat's earlier work (kick() runs again then)
      this.queue = left
      let deferred: Queued[]
      try {
        const running = this.run(batch)
        this.readAhead()
        deferred = await running
      } catch (err) {
        // Never expected (run handles its failures): every message still gets an answer.
        this.log.error({ err: errorText(err) }, 'group batch failed')
        for (const q of batch) this.answer(q, { messageId: q.m.messageId, inboxId: q.row?.id ?? null, outcome: 'failed', error: errorText(err) })
        deferred = []
      }
      this.queue = [...deferred, ...this.queue]
    }
  }

  /**
   * Classifies the next batch's messages while this one waits on the database (JavaScript runs between its
   * statements). What it reads is only the configuration cache, confirmed by the batch's own transaction.
   */
  private readAhead(): void {
    let n = 0
    for (const q of this.queue) {
      if (n++ >= GROUP_BATCH_SIZE) break
      if (!q.plain) q.plain = plainGroupText(this.deps.handling, receivedFields(q.m)).catch(() => null)
    }
  }

  /** One batch: kept, filed, answered. Returns the messages whose chat waits for one handled the usual way. */
  private async run(batch: Queued[]): Promise<Queued[]> {
    const kept = await this.keep(batch)
    const plain = new Map<Queued, PlainGroupText | null>()
    for (const q of kept) {
      try {
        plain.set(q, await (q.plain ?? plainGroupText(this.deps.handling, q.row!)))
      } catch (err) {
        this.log.debug({ err: errorText(err), inboxId: q.row!.id }, 'group batch: handled the usual way')
        plain.set(q, null)
      }
    }
    await this.askedQuestions(plain)
    // In each chat's order: the plain ones up to the first that is not; that one the usual way; the rest wait.
    const fast: Queued[] = [], usual = new Set<Queued>(), deferred: Queued[] = []
    const stopped = new Set<string>()
    for (const q of kept) {
      if (stopped.has(q.chat)) deferred.push(q)
      else if (plain.get(q)) fast.push(q)
      else { usual.add(q); stopped.add(q.chat) }
    }
    const leftOver = new Set(await this.file(fast, plain))
    // One at a time within a chat (a failed batch's messages, then the one that is not plain), chats side by side.
    const oneByOne = new Map<string, Queued[]>()
    for (const q of kept) if (leftOver.has(q) || usual.has(q)) oneByOne.set(q.chat, [...(oneByOne.get(q.chat) ?? []), q])
    await Promise.all([...oneByOne.values()].map(async (qs) => {
      for (const q of qs) q.done(await this.deps.processRow(q.row!))
    }))
    // The usual way ran after the batch's commit, so the chat's order held; what waited goes first next time.
    return deferred
  }

  /** Keeps the batch's new messages in one INSERT (one by one when one was delivered before); the answered drop out. */
  private async keep(batch: Queued[]): Promise<Queued[]> {
    const fresh = new Set(batch.filter((q) => !q.row))
    if (fresh.size) {
      try {
        const rows = await withTimeout(autocommit(this.db, (em) => recordInboxMany(em, this.clock, [...fresh].map((q) => q.m))), this.deps.inboxTimeoutMs)
        ;[...fresh].forEach((q, i) => { q.row = rows[i]! })
      } catch (err) {
        if (!isDuplicateKeyError(err)) return this.keptNone(batch, fresh, err)
        for (const q of fresh) {
          try {
            q.row = await withTimeout(autocommit(this.db, (em) => recordInbox(em, this.clock, q.m)), this.deps.inboxTimeoutMs)
          } catch (e) {
            this.answer(q, this.notKept(q, e))
          }
        }
      }
    }
    const kept: Queued[] = []
    for (const q of batch) {
      if (!q.row) continue
      if (fresh.has(q) && (q.row.status !== 'pending' || this.deps.inFlight.has(q.row.id))) {
        this.log.debug({ messageId: q.m.messageId, inboxId: q.row.id, status: q.row.status }, 'duplicate delivery ignored')
        this.answer(q, { messageId: q.m.messageId, inboxId: q.row.id, outcome: 'duplicate' })
        continue
      }
      this.deps.inFlight.add(q.row.id)
      kept.push(q)
    }
    return kept
  }

  private keptNone(batch: Queued[], fresh: Set<Queued>, err: unknown): Queued[] {
    for (const q of fresh) this.answer(q, this.notKept(q, err))
    return batch.filter((q) => q.row).map((q) => { this.deps.inFlight.add(q.row!.id); return q })
  }

  private notKept(q: Queued, err: unknown): Handled {
    if (isDatabaseOutage(err)) return this.deps.toSpool(q.m, err)
    this.log.error({ err: errorText(err), messageId: q.m.messageId }, 'inbox insert failed; message not kept')
    return { messageId: q.m.messageId, inboxId: null, outcome: 'failed', error: errorText(err) }
  }

  /**
   * What plainGroupText left to the batch, one SELECT each per community: a sender answering the bot's question in
   * that chat (几号楼几单元), a question when the community has a notice up, a rating from someone with a 回访 —
   * each of those is handled the usual way.
   */
  private async askedQuestions(plain: Map<Queued, PlainGroupText | null>): Promise<void> {
    const em = this.db.manager
    for (const [communityId, qs] of byCommunity([...plain.keys()].filter((q) => plain.get(q)), (q) => plain.get(q)!.room.communityId)) {
      try {
        const senders = await sendersWithPrompts(em, this.clock, {
          communityId, kinds: ['location'], senders: qs.map((q) => ({ wechatName: q.row!.senderName!, chatKey: chatKeyOf(q.row!.roomTopic) })),
        })
        const residentOf = (q: Queued) => senders.get(q.row!.senderName!)?.resident ?? null
        const notices = qs.some((q) => plain.get(q)!.unless.notice) && await hasOpenNotices(em, this.clock, communityId)
        const raters = qs.filter((q) => plain.get(q)!.unless.rating && residentOf(q))
        const withCallbacks = raters.length ? await residentsWithCallbacks(em, raters.map((q) => residentOf(q)!.id)) : new Set<number>()
        for (const q of qs) {
          const p = plain.get(q)!, resident = residentOf(q)
          const usual = senders.get(q.row!.senderName!)?.promptedIn.has(chatKeyOf(q.row!.roomTopic))
            || (p.unless.notice && notices) || (p.unless.rating && resident && withCallbacks.has(resident.id))
          if (usual) plain.set(q, null)
          else q.resident = resident
        }
      } catch (err) {
        this.log.debug({ err: errorText(err) }, 'group batch: senders not read; handled the usual way')
        for (const q of qs) plain.set(q, null)
      }
    }
  }

  /** Files the plain messages, a transaction per community; those not filed are returned (handled the usual way). */
  private async file(fast: Queued[], plain: Map<Queued, PlainGroupText | null>): Promise<Queued[]> {
    const leftOver: Queued[] = []
    for (const [communityId, qs] of byCommunity(fast, (q) => plain.get(q)!.room.communityId)) {
      const reports = new Map<Queued, BatchReport>()
      for (const q of qs) {
        const p = plain.get(q)!
        if (p.kind !== 'report') continue
        const row = q.row!
        reports.set(q, { inboxId: row.id, room: p.room, senderName: row.senderName!, senderId: row.senderId, resident: q.resident ?? null, text: p.text, classification: p.classification })
      }
      const rowOf = new Map([...reports].map(([q, r]) => [r, q.row!]))
      try {
        const filed = await inTransaction(this.db, async (em) => {
          const prompts: OpenPromptProps[] = []
          const done = await fileReportBatch(em, {
            clock: this.clock, config: this.deps.handling.ctx.config,
            after: async (em2, report, one) => {
              if (one.kind !== 'created') return []
              const missing = await missingQuestions(em2, rowOf.get(report)!, one.request, report.room, report.text)
              prompts.push(...missing.prompts)
              return missing.asks
            },
          }, communityId, [...reports.values()])
          await openPrompts(em, this.clock, prompts)
          const requestOf = new Map([...reports.keys()].map((q, i) => [q, done[i]!]))
          await markProcessedMany(em, this.clock, qs.map((q) => ({ id: q.row!.id, requestId: requestOf.get(q)?.request.id ?? null })))
          return requestOf
        })
        for (const q of qs) {
          const one = filed.get(q)
          const outcome: Outcome = one?.kind ?? 'chatter'
          this.log.info({ inboxId: q.row!.id, room: q.row!.roomTopic, outcome, requestId: one?.request.id }, 'message processed')
          this.answer(q, { messageId: q.m.messageId, inboxId: q.row!.id, outcome, requestId: one?.request.id ?? null })
        }
      } catch (err) {
        if (isDatabaseOutage(err)) {
          // Kept and pending: retried later without spending an attempt, as a single message would be.
          this.log.warn({ err: errorText(err), rows: qs.length }, 'database away while processing a batch; the messages stay pending')
          for (const q of qs) this.answer(q, { messageId: q.m.messageId, inboxId: q.row!.id, outcome: 'failed', error: errorText(err) })
          continue
        }
        if (!(err instanceof StaleConfigError)) this.log.warn({ err: errorText(err), rows: qs.length }, 'group batch failed; handling its messages one at a time')
        leftOver.push(...qs)
      }
    }
    return leftOver
  }

  private answer(q: Queued, h: Handled): void {
    if (q.row) this.deps.inFlight.delete(q.row.id)
    q.done(h)
  }
}
