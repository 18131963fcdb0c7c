import { EventEmitter } from 'node:events'
import type { AppContext } from '../src/context.js'
import { InboxMessage } from '../src/db/entities/index.js'
import { autocommit, inTransaction } from '../src/db/transaction.js'
import type { Classifier } from '../src/intake/classifier/types.js'
import type { RunIntake } from '../src/intake/pipeline.js'
import { runIntake as defaultRunIntake } from '../src/intake/run.js'
import type { FileStorage } from '../src/storage/index.js'
import { handleRoom } from './group.js'
import { errorText, type Handling, type Outcome, type Transcriber } from './handling.js'
import { markFailed, pendingInbox, recordInbox, type ReceivedMessage } from '../src/inbox/inbox.js'
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
  }

  private get db() { return this.deps.ctx.db }
  private get clock() { return this.deps.ctx.clock }
  private get log() { return this.deps.ctx.logger }

  /** Keeps the message in the inbox and processes it. Never throws: one bad message cannot stop the bot. */
  async receive(m: ReceivedMessage): Promise<Handled> {
    return this.inChat(chatOf(m), async () => {
      // Behind messages still in the spool, to keep each chat in order.
      if (this.deps.spool?.hasBacklog()) return this.toSpool(m)
      let row: InboxMessage
      try {
        row = await this.keep(m)
      } catch (err) {
        if (this.deps.spool && isDatabaseOutage(err)) return this.toSpool(m, err)
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
      return this.emitHandled({ messageId: m.messageId, inboxId: null, outcome: 'failed', error: errorText(err) })
    }
    if (cause) this.log.warn({ err: errorText(cause), messageId: m.messageId }, 'database away: message kept in the spool')
    this.scheduleReplay(1000)
    return this.emitHandled({ messageId: m.messageId, inboxId: null, outcome: 'spooled' })
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

  private inChat<T>(chat: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(chat) ?? Promise.resolve()
    const run = previous.catch(() => undefined).then(fn)
    const settled = run.catch(() => undefined)
    this.chains.set(chat, settled)
    this.all.add(settled)
    void settled.finally(() => {
      this.all.delete(settled)
      if (this.chains.get(chat) === settled) this.chains.delete(chat)
    })
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
