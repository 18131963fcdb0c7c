import { EventEmitter } from 'node:events'
import type { EntityManager } from 'typeorm'
import type { AppContext } from '../src/context.js'
import { InboxMessage } from '../src/db/entities/index.js'
import { autocommit, inOneTransaction, withTransactionHooks, inTransaction, NotOneTransaction } from '../src/db/transaction.js'
import type { Classifier } from '../src/intake/classifier/types.js'
import type { RunIntake } from '../src/intake/pipeline.js'
import { runIntake as defaultRunIntake } from '../src/intake/run.js'
import type { FileStorage } from '../src/storage/index.js'
import { handleRoom } from './group.js'
import { GroupBatch } from './groupBatch.js'
import { errorText, type Handling, type Outcome, type Transcriber } from './handling.js'
import { DuplicateDelivery, InboxIdNeeded, isUnsaved, keepUnsaved, markFailed, unsaveAgain, pendingInbox, recordInbox, unsavedInbox, type ReceivedMessage } from '../src/inbox/inbox.js'
import { handlePrivate } from './private.js'
import { isDatabaseOutage, withTimeout, type InboxSpool } from '../src/inbox/spool.js'

export type { Outcome, Transcriber } from './handling.js'
export { RESIDENT_IMAGE_WINDOW_MS, STAFF_PHOTO_WINDOW_MS } from './media.js'

export interface ProcessorDeps {
  ctx: AppContext
  classifier: Classifier
  storage: FileStorage
  /** The intake pipeline (src/intake/run.ts); injectable for tests. */
  runIntake?: RunIntake
  /** Voice → text; null when no transcription is configured (the bot then asks for typed text). */
  transcribe?: Transcriber | null
  /** The bot's own WeChat name(s), for recognising @-mentions; known after login. */
  botNames?: () => string[]
  /** Where messages go while the database is away (replayed when it is back); none: such a message is logged as lost. */
  spool?: InboxSpool | null
  /** How long keeping a message in the inbox may take before the database counts as away (a frozen server never answers). */
  inboxTimeoutMs?: number
  /** Group texts arriving while others are handled go many at a time (bot/groupBatch.ts); false: always one at a time. Default true. */
  groupBatch?: boolean
  /** How many batches run side by side, each with its own chats (default 2). */
  groupBatchLanes?: number
}

/** Batch lanes (bot/groupBatch.ts), each a transaction at a time. */
const GROUP_BATCH_LANES = 2
const laneOf = (chat: string, lanes: number) => {
  let h = 0
  for (let i = 0; i < chat.length; i++) h = (h * 31 + chat.charCodeAt(i)) >>> 0
  return h % lanes
}

const chatOf = (m: { roomTopic: string | null; roomId: string | null; senderId: string | null; senderName: string | null }) =>
  (m.roomTopic ? `room:${m.roomId ?? m.roomTopic}` : `dm:${m.senderId ?? m.senderName}`)

export interface Handled {
  messageId: string
  inboxId: number | null
  outcome: Outcome
  requestId?: number | null
  error?: string
}

/**
 * The bot's core, independent of Wechaty: every received message is first kept in the inbox, then
 * processed — group messages in ./group.ts, private chats (reports, 进度, callbacks, staff commands) in
 * ./private.ts, photos and voice in ./media.ts. Everything it says goes to the outbox in the same
 * transaction that marks the row processed, keyed by the inbox id, so a replay neither acts nor replies twice.
 *
 * Messages of one chat are processed one after another (a photo after its report); chats run in parallel.
 * Emits 'handled' (Handled) once per receive() and per processed pending row.
 */
export class InboxProcessor extends EventEmitter {
  private readonly chains = new Map<string, Promise<unknown>>()
  private readonly inFlight = new Set<number>()
  private readonly all = new Set<Promise<unknown>>()
  private readonly handling: Handling
  /** Plain group texts under load, in lanes by chat (none: one at a time — an LLM classifier, or an injected intake). */
  private readonly lanes: GroupBatch[]
  /** Chain tails that are a batched message (the batch keeps its own order: a later one need not wait for them). */
  private readonly batchedTails = new WeakSet<Promise<unknown>>()
  private replayTimer: NodeJS.Timeout | null = null
  private closed = false

  constructor(private readonly deps: ProcessorDeps) {
    super()
    this.handling = {
      ctx: deps.ctx, classifier: deps.classifier, storage: deps.storage,
      runIntake: deps.runIntake ?? defaultRunIntake,
      transcribe: deps.transcribe ?? null,
      names: () => deps.botNames?.() ?? [],
    }
    // Two lanes: while one waits on the database, the other reads and classifies its next batch (a chat is always in one lane).
    const batching = deps.groupBatch !== false && deps.classifier.method === 'offline' && !deps.runIntake
    this.lanes = !batching ? [] : Array.from({ length: deps.groupBatchLanes ?? GROUP_BATCH_LANES }, () => new GroupBatch({
      handling: this.handling, inboxTimeoutMs: deps.inboxTimeoutMs ?? 5000, inFlight: this.inFlight,
      processRow: (row) => this.processRow(row), toSpool: (m, cause) => this.toSpool(m, cause),
    }))
  }

  private get db() { return this.deps.ctx.db }
  private get clock() { return this.deps.ctx.clock }
  private get log() { return this.deps.ctx.logger }

  /** Keeps the message in the inbox and processes it. Never throws: one bad message cannot stop the bot. */
  async receive(m: ReceivedMessage): Promise<Handled> {
    // Under load (anything else in hand), a group text joins the batch; a lone one goes the one-commit way below.
    if (this.lanes.length && m.kind === 'text' && m.roomTopic && this.all.size > 0 && !this.deps.spool?.hasBacklog()) return this.batched(m)
    return this.inChat(chatOf(m), async () => {
      // Behind messages still in the spool, to keep each chat in order.
      if (this.deps.spool?.hasBacklog()) return this.emitHandled(this.toSpool(m))
      if (m.kind === 'text' && this.deps.classifier.method === 'offline') {
        const done = await this.receiveInOne(m)
        if (done) return this.emitHandled(done)
      }
      let row: InboxMessage
      try {
        row = await this.keep(m)
      } catch (err) {
        if (this.deps.spool && isDatabaseOutage(err)) return this.emitHandled(this.toSpool(m, err))
        this.log.error({ err: errorText(err), messageId: m.messageId }, 'inbox insert failed; message not kept')
        return this.emitHandled({ messageId: m.messageId, inboxId: null, outcome: 'failed', error: errorText(err) })
      }
      if (row.status !== 'pending' || this.inFlight.has(row.id)) {
        this.log.debug({ messageId: m.messageId, inboxId: row.id, status: row.status }, 'duplicate delivery ignored')
        return this.emitHandled({ messageId: m.messageId, inboxId: row.id, outcome: 'duplicate' })
      }
      return this.emitHandled(await this.processRow(row))
    })
  }

  /**
   * A text message with a local classifier, kept in the same commit as its work (issue 12): first without writing
   * the row at all — chatter and anything else that needs no inbox id ends in one INSERT of the row, already
   * processed — else with the row written first in the one transaction that the handler's transaction joins.
   * Null: it could not be done that way (a second transaction, a failure, a lock conflict); everything was rolled
   * back and the caller keeps the row on its own and processes it as before.
   *
   * Why no message is lost that could not be lost before: receive() resolves — the message counts as received —
   * only once the row is committed (with its work), or spooled. Until then it exists only in this process's
   * memory, exactly as a message waiting behind others in its chat's queue always has; a crash loses both alike,
   * and the spool still takes every message while the database is away. A second delivery is still refused by
   * the inbox's unique key (DuplicateDelivery: its work is rolled back with it), and the row is still marked
   * processed in the transaction of the work, with the outbox rows.
   */
  private async receiveInOne(m: ReceivedMessage): Promise<Handled | null> {
    const timeout = this.deps.inboxTimeoutMs ?? 5000
    const row = unsavedInbox(this.clock, m)
    const base = { messageId: m.messageId }
    try {
      // Every transaction the handler opens writes the row first (when it is not written yet): no work commits
      // without it, and the work that needs its id (the request's keys) finds it there.
      let active = true // off once this attempt is over: work it started that runs on later is left alone
      const hooks = {
        begin: async (em: EntityManager) => {
          if (!active || !isUnsaved(row)) return
          await keepUnsaved(em, row)
          return () => unsaveAgain(row)
        },
      }
      const r = await withTimeout(withTransactionHooks(hooks, () => this.handle(row)).finally(() => { active = false }), timeout)
      if (isUnsaved(row)) return null // handled without being marked processed: kept pending, as before
      this.log.info({ inboxId: row.id, room: row.roomTopic, outcome: r.outcome, requestId: r.requestId ?? undefined }, 'message processed')
      return { ...base, inboxId: row.id, ...r }
    } catch (err) {
      const answer = await this.afterFailedInOne(m, err)
      if (answer !== undefined) return answer
    }
    // It needs its inbox id: the row is written first, in the transaction its work joins.
    try {
      const r = await withTimeout(inOneTransaction(this.db, async (em) => {
        await keepUnsaved(em, row)
        return this.handle(row)
      }), timeout)
      this.log.info({ inboxId: row.id, room: row.roomTopic, outcome: r.outcome, requestId: r.requestId ?? undefined }, 'message processed')
      return { ...base, inboxId: row.id, ...r }
    } catch (err) {
      const answer = await this.afterFailedInOne(m, err)
      return answer === undefined ? null : answer
    }
  }

  /** After a failed one-commit attempt: the answer (duplicate, spooled), null to go the usual way, undefined to try with the row first. */
  private async afterFailedInOne(m: ReceivedMessage, err: unknown): Promise<Handled | null | undefined> {
    if (err instanceof InboxIdNeeded) return undefined
    if (err instanceof DuplicateDelivery) return null // the usual way finds the row and says what it is
    if (this.deps.spool && isDatabaseOutage(err)) return this.toSpool(m, err)
    if (!(err instanceof NotOneTransaction)) this.log.debug({ err: errorText(err), messageId: m.messageId }, 'one-commit processing failed; processing the usual way')
    return null
  }

  private handle(row: InboxMessage) {
    return row.roomTopic ? handleRoom(this.handling, row) : handlePrivate(this.handling, row)
  }

  private keep(m: ReceivedMessage): Promise<InboxMessage> {
    // One INSERT, committed on its own: the message is kept before anything is done with it.
    return withTimeout(autocommit(this.db, (em) => recordInbox(em, this.clock, m)), this.deps.inboxTimeoutMs ?? 5000)
  }

  /** The database is away: the message is written to the spool (fsync'd) and replayed later. */
  private toSpool(m: ReceivedMessage, cause?: unknown): Handled {
    try {
      this.deps.spool!.append(m)
    } catch (err) {
      this.log.error({ err: errorText(err), messageId: m.messageId }, 'database away and the spool cannot be written; message not kept')
      return { messageId: m.messageId, inboxId: null, outcome: 'failed', error: errorText(err) }
    }
    if (cause) this.log.warn({ err: errorText(cause), messageId: m.messageId }, 'database away: message kept in the spool')
    this.scheduleReplay(1000)
    return { messageId: m.messageId, inboxId: null, outcome: 'spooled' }
  }

  /**
   * Replays the spool into the inbox, oldest first, processing each message as it is kept; stops (and
   * tries again later) while the database is still away. Returns how many were replayed.
   */
  async replaySpool(): Promise<number> {
    const spool = this.deps.spool
    if (!spool?.hasBacklog()) return 0
    const r = await spool.replay(async (m) => {
      const row = await this.keep(m)
      if (row.status !== 'pending') return
      await this.inChat(chatOf(m), async () => {
        if (this.inFlight.has(row.id)) return
        const fresh = await this.db.getRepository(InboxMessage).findOneBy({ id: row.id })
        if (fresh?.status === 'pending') this.emitHandled(await this.processRow(fresh))
      })
    }, isDatabaseOutage)
    if (r.replayed || r.rejected) this.log.info({ ...r }, 'inbox spool replayed')
    if (spool.hasBacklog()) this.scheduleReplay(2000)
    return r.replayed
  }

  private scheduleReplay(ms: number): void {
    if (this.replayTimer || this.closed) return
    this.replayTimer = setTimeout(() => {
      this.replayTimer = null
      this.replaySpool().catch((err) => { this.log.error({ err: errorText(err) }, 'inbox spool replay failed'); this.scheduleReplay(5000) })
    }, ms)
    this.replayTimer.unref?.()
  }

  /** Stops the spool replay timer (the spool itself stays on disk for the next start). */
  close(): void {
    this.closed = true
    if (this.replayTimer) clearTimeout(this.replayTimer)
    this.replayTimer = null
  }

  /** Processes rows left pending by a crash or a failed attempt. Returns how many were processed. */
  async processPending(): Promise<number> {
    const rows = (await pendingInbox(this.db)).filter((r) => !this.inFlight.has(r.id))
    const runs = rows.map((row) => {
      return this.inChat(chatOf(row), async () => {
        const fresh = await this.db.getRepository(InboxMessage).findOneBy({ id: row.id })
        if (!fresh || fresh.status !== 'pending' || this.inFlight.has(row.id)) return null
        return this.emitHandled(await this.processRow(fresh))
      })
    })
    return (await Promise.all(runs)).filter(Boolean).length
  }

  /** Resolves with the next 'handled' for this message id (register before delivering). */
  waitHandled(messageId: string): Promise<Handled> {
    return new Promise((resolve) => {
      const on = (h: Handled) => {
        if (h.messageId !== messageId) return
        this.off('handled', on)
        resolve(h)
      }
      this.on('handled', on)
    })
  }

  /** Resolves when nothing is being processed. */
  async idle(): Promise<void> {
    while (this.all.size) await Promise.allSettled([...this.all])
  }

  private emitHandled(h: Handled): Handled {
    this.emit('handled', h)
    return h
  }

  /** Into the batch, in its chat's order: after the chat's earlier message when that one is handled the usual way. */
  private batched(m: ReceivedMessage): Promise<Handled> {
    const chat = chatOf(m)
    const previous = this.chains.get(chat)
    const after = previous && !this.batchedTails.has(previous) ? previous : null
    const run = this.lanes[laneOf(chat, this.lanes.length)]!.submit(m, chat, after).then((h) => this.emitHandled(h))
    const settled = run.catch(() => undefined)
    this.batchedTails.add(settled)
    this.track(chat, settled)
    return run
  }

  private track(chat: string, settled: Promise<unknown>): void {
    this.chains.set(chat, settled)
    this.all.add(settled)
    void settled.finally(() => {
      this.all.delete(settled)
      if (this.chains.get(chat) === settled) this.chains.delete(chat)
    })
  }

  private inChat<T>(chat: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(chat) ?? Promise.resolve()
    const run = previous.catch(() => undefined).then(fn)
    this.track(chat, run.catch(() => undefined))
    return run
  }

  private async processRow(row: InboxMessage): Promise<Handled> {
    this.inFlight.add(row.id)
    const base = { messageId: row.messageId, inboxId: row.id }
    try {
      const r = row.roomTopic ? await handleRoom(this.handling, row) : await handlePrivate(this.handling, row)
      this.log.info({ inboxId: row.id, room: row.roomTopic, outcome: r.outcome, requestId: r.requestId ?? undefined }, 'message processed')
      return { ...base, ...r }
    } catch (err) {
      const error = errorText(err)
      let status: string = 'unknown'
      // The database went away mid-way: the row stays pending without spending an attempt (it is retried later).
      if (isDatabaseOutage(err)) {
        this.log.warn({ inboxId: row.id, err: error }, 'database away while processing; the message stays pending')
        return { ...base, outcome: 'failed', error }
      }
      try {
        status = await inTransaction(this.db, (em) => markFailed(em, this.clock, row, error))
      } catch (e) {
        this.log.error({ inboxId: row.id, err: errorText(e) }, 'could not record the inbox failure')
      }
      this.log.error({ inboxId: row.id, messageId: row.messageId, err: error, stack: err instanceof Error ? err.stack : undefined, status }, 'message processing failed')
      return { ...base, outcome: 'failed', error }
    } finally {
      this.inFlight.delete(row.id)
    }
  }
}
