import { EventEmitter } from 'node:events'
import type { EntityManager } from 'typeorm'
import { In, MoreThanOrEqual } from 'typeorm'
import { loadCommunity, staffById } from '../src/community/snapshot.js'
import type { AppContext } from '../src/context.js'
import {
  Attachment, ChatRoom, Community, Grid, InboxMessage, OutboxMessage, RequestEvent, RequestReporter, Resident, ServiceRequest, Staff,
} from '../src/db/entities/index.js'
import { dialectOf } from '../src/db/dataSource.js'
import { inTransaction } from '../src/db/transaction.js'
import { DomainError } from '../src/errors.js'
import type { Classifier } from '../src/intake/classifier/types.js'
import type { IntakeMessage, RunIntake } from '../src/intake/pipeline.js'
import { runIntake as defaultRunIntake } from '../src/intake/run.js'
import { answerCallback, parseCallbackAnswer } from '../src/jobs/callbacks.js'
import { enqueue, PRIORITY, type OutboxDraft } from '../src/outbox/outbox.js'
import { findOrCreateWechatResident } from '../src/people/residents.js'
import { OPEN_STATUSES, recordEvent } from '../src/requests/index.js'
import type { FileStorage } from '../src/storage/index.js'
import { markFailed, markProcessed, pendingInbox, recordInbox, type ReceivedMessage } from './inbox.js'
import {
  isHelpRequest, isProgressQuery, isStaffCommand, mentionsBot, parseBindCommand, parseStaffCommand, stripMentions, type BindCommand, type StaffCommand,
  parseStaffReport,
} from './matchers.js'
import { runStaffCommand } from './commands.js'
import * as T from './texts.js'

/** A resident's photo within this long of their report is attached to it. */
export const RESIDENT_IMAGE_WINDOW_MS = 5 * 60_000
/** A staff member's photo within this long of their 完成 is attached to that request. */
export const STAFF_PHOTO_WINDOW_MS = 10 * 60_000

export type Transcriber = (audio: Buffer, filename: string) => Promise<string>

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
}

export type Outcome =
  | 'duplicate' | 'already_done' | 'ignored' | 'ignored_unbound_room' | 'chatter' | 'created' | 'attached' | 'help' | 'command' | 'command_rejected'
  | 'refused' | 'bound' | 'image_attached' | 'image_unmatched' | 'voice_unreadable' | 'progress' | 'callback' | 'rejected' | 'failed'

export interface Handled {
  messageId: string
  inboxId: number | null
  outcome: Outcome
  requestId?: number | null
  error?: string
}

interface Finish {
  outcome: Outcome
  replies?: OutboxDraft[]
  requestId?: number | null
  /** extra writes in the same transaction as marking the row processed */
  also?: (em: EntityManager) => Promise<void>
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e))

/**
 * The bot's core, independent of Wechaty: every received message is first kept in the inbox, then
 * processed — group reports through intake, private chats (reports, 进度, callbacks, staff commands),
 * photos and voice. Everything it says goes to the outbox in the same transaction that marks the row
 * processed, keyed by the inbox id, so a replay neither acts nor replies twice.
 *
 * Messages of one chat are processed one after another (a photo after its report); chats run in parallel.
 * Emits 'handled' (Handled) once per receive() and per processed pending row.
 */
export class InboxProcessor extends EventEmitter {
  private readonly chains = new Map<string, Promise<unknown>>()
  private readonly inFlight = new Set<number>()
  private readonly all = new Set<Promise<unknown>>()
  private readonly runIntake: RunIntake

  constructor(private readonly deps: ProcessorDeps) {
    super()
    this.runIntake = deps.runIntake ?? defaultRunIntake
  }

  private get db() { return this.deps.ctx.db }
  private get clock() { return this.deps.ctx.clock }
  private get log() { return this.deps.ctx.logger }
  private get names() { return this.deps.botNames?.() ?? [] }

  /** Keeps the message in the inbox and processes it. Never throws: one bad message cannot stop the bot. */
  async receive(m: ReceivedMessage): Promise<Handled> {
    const chat = m.roomTopic ? `room:${m.roomId ?? m.roomTopic}` : `dm:${m.senderId ?? m.senderName}`
    return this.inChat(chat, async () => {
      let row: InboxMessage
      try {
        row = await inTransaction(this.db, (em) => recordInbox(em, this.clock, m))
      } catch (err) {
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

  /** Processes rows left pending by a crash or a failed attempt. Returns how many were processed. */
  async processPending(): Promise<number> {
    const rows = (await pendingInbox(this.db)).filter((r) => !this.inFlight.has(r.id))
    const runs = rows.map((row) => {
      const chat = row.roomTopic ? `room:${row.roomId ?? row.roomTopic}` : `dm:${row.senderId ?? row.senderName}`
      return this.inChat(chat, async () => {
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
      const r = row.roomTopic ? await this.processRoom(row) : await this.processPrivate(row)
      this.log.info({ inboxId: row.id, room: row.roomTopic, outcome: r.outcome, requestId: r.requestId ?? undefined }, 'message processed')
      return { ...base, ...r }
    } catch (err) {
      const error = errorText(err)
      let status: string = 'unknown'
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

  // ---------------------------------------------------------------------------------------------
  // Writing results

  private async finish(row: InboxMessage, f: Finish): Promise<{ outcome: Outcome; requestId?: number | null }> {
    await inTransaction(this.db, async (em) => {
      await f.also?.(em)
      await enqueue(em, this.clock, f.replies ?? [])
      await markProcessed(em, this.clock, row, f.requestId ?? null)
    })
    return { outcome: f.outcome, requestId: f.requestId ?? null }
  }

  private roomReply(row: InboxMessage, text: string, n = 0): OutboxDraft {
    return { dedupeKey: `inbox:${row.id}:reply${n || ''}`, channel: 'wechat_room', target: row.roomTopic!, mentions: [row.senderName!], text, priority: PRIORITY.normal }
  }

  private dmReply(row: InboxMessage, text: string, n = 0): OutboxDraft {
    return { dedupeKey: `inbox:${row.id}:reply${n || ''}`, channel: 'wechat_dm', target: row.senderName!, text, priority: PRIORITY.normal }
  }

  private reply(row: InboxMessage, text: string): OutboxDraft {
    return row.roomTopic ? this.roomReply(row, text) : this.dmReply(row, text)
  }

  /** Did intake already commit for this row (crash before it was marked processed)? Its outbox keys start with the cause key. */
  private async intakeAlreadyRan(row: InboxMessage): Promise<boolean> {
    const prefix = `inbox:${row.id}:`
    // A prefix match that can use the unique index: LIKE on MySQL; GLOB on SQLite (its LIKE ignores case and the index).
    const op = dialectOf(this.db) === 'sqlite' ? 'GLOB' : 'LIKE'
    const n = await this.db.getRepository(OutboxMessage).createQueryBuilder('o')
      .where(`o.dedupe_key ${op} :prefix`, { prefix: `${prefix}${op === 'GLOB' ? '*' : '%'}` })
      .getCount()
    return n > 0
  }

  // ---------------------------------------------------------------------------------------------
  // Group messages

  private async findRoom(topic: string, roomId: string | null): Promise<ChatRoom | null> {
    const repo = this.db.getRepository(ChatRoom)
    if (roomId) {
      const byId = await repo.findOne({ where: { wechatRoomId: roomId }, order: { id: 'ASC' } })
      if (byId) return byId
    }
    return repo.findOne({ where: { topic }, order: { id: 'ASC' } })
  }

  private async processRoom(row: InboxMessage) {
    const room = await this.findRoom(row.roomTopic!, row.roomId)
    const text = row.text ?? ''
    if (row.kind === 'text') {
      const bind = parseBindCommand(stripMentions(text, this.names))
      if (bind) return this.bind(row, bind, room)
    }
    if (!room) return this.finish(row, { outcome: 'ignored_unbound_room' })
    const rememberRoomId = async (em: EntityManager) => {
      if (row.roomId && room.wechatRoomId !== row.roomId) await em.update(ChatRoom, { id: room.id }, { wechatRoomId: row.roomId })
    }
    switch (row.kind) {
      case 'image': return this.attachImage(row, room.communityId, rememberRoomId)
      case 'voice': return this.voice(row, room.communityId, room, rememberRoomId)
      case 'text': {
        // "完成 12 已更换灯泡" typed in the group is a command, never a new report.
        const clean = stripMentions(text, this.names)
        if (isStaffCommand(clean)) return this.groupStaffCommand(row, clean, room, rememberRoomId)
        return this.intakeText(row, text, room.communityId, room, rememberRoomId)
      }
      default: return this.finish(row, { outcome: 'ignored', also: rememberRoomId })
    }
  }

  /**
   * A staff command typed in a bound group: staff of the community get it run, with the confirmation in a
   * private chat (the group is not filled with work talk); anyone else is refused only when they @ the bot.
   */
  private async groupStaffCommand(row: InboxMessage, clean: string, room: ChatRoom, also: (em: EntityManager) => Promise<void>) {
    const staff = await this.db.getRepository(Staff).findOne({ where: { communityId: room.communityId, wechat: row.senderName!, active: true }, order: { id: 'ASC' } })
    if (staff) return this.staffCommand(row, staff, parseStaffCommand(clean)!, also)
    if (isProgressQuery(clean)) return this.intakeText(row, row.text ?? '', room.communityId, room, also)
    const mentioned = row.payload?.mentionSelf === true || mentionsBot(row.text ?? '', this.names)
    return this.finish(row, { outcome: 'refused', replies: mentioned ? [this.roomReply(row, T.NOT_STAFF_IN_GROUP)] : [], also })
  }

  /** 绑定 <网格> / 绑定 社区, typed in the room by a staff member of the community. */
  private async bind(row: InboxMessage, cmd: BindCommand, existing: ChatRoom | null) {
    const staff = await this.db.getRepository(Staff).findOne({ where: { wechat: row.senderName!, active: true }, order: { id: 'ASC' } })
    if (!staff) {
      // Unbound rooms stay silent for everyone else; in a bound room it is ordinary talk.
      if (!existing) return this.finish(row, { outcome: 'ignored_unbound_room' })
      return this.intakeText(row, row.text ?? '', existing.communityId, existing)
    }
    if (existing && existing.communityId !== staff.communityId) {
      return this.finish(row, { outcome: 'rejected', replies: [this.roomReply(row, '本群已绑定到其他社区，不能重复绑定。')] })
    }
    let grid: Grid | null = null
    if (cmd.target === 'grid') {
      const grids = await this.db.getRepository(Grid).find({ where: { communityId: staff.communityId }, order: { id: 'ASC' } })
      grid = grids.find((g) => g.name === cmd.gridName) ?? null
      if (!grid) return this.finish(row, { outcome: 'rejected', replies: [this.roomReply(row, T.bindGridUnknown(cmd.gridName, grids.map((g) => g.name)))] })
    }
    const community = await this.db.getRepository(Community).findOneByOrFail({ id: staff.communityId })
    return this.finish(row, {
      outcome: 'bound',
      replies: [this.roomReply(row, T.bound(row.roomTopic!, grid ? `${community.name}${grid.name}` : `${community.name}（全社区）`))],
      also: async (em) => {
        const current = existing ?? await em.findOne(ChatRoom, { where: { communityId: staff.communityId, topic: row.roomTopic! } })
        if (current) await em.update(ChatRoom, { id: current.id }, { gridId: grid?.id ?? null, wechatRoomId: row.roomId ?? current.wechatRoomId })
        else await em.insert(ChatRoom, { communityId: staff.communityId, topic: row.roomTopic!, gridId: grid?.id ?? null, wechatRoomId: row.roomId })
      },
    })
  }

  // ---------------------------------------------------------------------------------------------
  // Reports (group and private)

  private async intakeText(row: InboxMessage, raw: string, communityId: number, room: ChatRoom | null, also?: (em: EntityManager) => Promise<void>, reporterStaff?: Staff) {
    const mentioned = row.payload?.mentionSelf === true || mentionsBot(raw, this.names)
    const text = stripMentions(raw, this.names)
    const help = room ? T.GROUP_HELP : T.RESIDENT_HELP
    if (!text) return this.finish(row, { outcome: mentioned || !room ? 'help' : 'ignored', replies: mentioned || !room ? [this.reply(row, help)] : [], also })
    if (await this.intakeAlreadyRan(row)) return this.finish(row, { outcome: 'already_done', also })

    const resident = await inTransaction(this.db, (em) => findOrCreateWechatResident(em, { communityId, wechatName: row.senderName!, contactId: row.senderId }))
    const msg: IntakeMessage = {
      communityId, source: reporterStaff ? 'staff' : room ? 'group' : 'private', text, residentId: resident.id, chatRoomId: room?.id ?? null,
      causeKey: `inbox:${row.id}`, acknowledge: room ? 'room' : 'dm', reporterStaffId: reporterStaff?.id ?? null,
    }
    let result
    try {
      result = await this.runIntake({ ...this.deps.ctx, classifier: this.deps.classifier }, msg)
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      // Too long / empty: tell a private sender; a group is not lectured.
      return this.finish(row, { outcome: 'rejected', replies: room ? [] : [this.dmReply(row, err.message)], also })
    }
    if (result.kind === 'chatter') {
      // "没人来" / "还没修好" with no 回访 awaiting (another reporter already reopened it): show where things stand.
      if (!room && parseCallbackAnswer(text)?.solved === false) {
        const rows = await this.openRequestsOf(row.senderName!, communityId)
        if (rows.length) return this.finish(row, { outcome: 'progress', replies: [this.dmReply(row, T.progressList(rows))], also })
      }
      if (reporterStaff) return this.finish(row, { outcome: 'help', replies: [this.dmReply(row, T.STAFF_REPORT_UNCLEAR)], also })
      const replies = mentioned || !room ? [this.reply(row, help)] : []
      return this.finish(row, { outcome: replies.length ? 'help' : 'chatter', replies, also })
    }
    return this.finish(row, { outcome: result.kind, requestId: result.request.id, also })
  }

  // ---------------------------------------------------------------------------------------------
  // Private chats

  private async processPrivate(row: InboxMessage) {
    const staff = await this.db.getRepository(Staff).findOne({ where: { wechat: row.senderName!, active: true }, order: { id: 'ASC' } })
    if (row.kind === 'image') return this.attachImage(row, staff?.communityId ?? await this.communityForResident(row.senderName!))
    if (row.kind === 'other') return this.finish(row, { outcome: 'ignored' })
    let text = row.text ?? ''
    if (row.kind === 'voice') {
      const heard = await this.transcribe(row)
      if (!heard) {
        const communityId = staff ? null : await this.communityForResident(row.senderName!)
        const reply = staff ? T.STAFF_VOICE : T.voiceFallback(communityId == null ? null : await this.gridLeaderOf(row.senderName!, communityId))
        return this.finish(row, { outcome: 'voice_unreadable', replies: [this.dmReply(row, reply)] })
      }
      text = heard
    }
    const clean = stripMentions(text, this.names)
    const command = parseStaffCommand(clean)
    if (staff) {
      if (command) return this.staffCommand(row, staff, command)
      if (isProgressQuery(clean)) return this.staffCommand(row, staff, { kind: 'todo' })
      // 巡查上报: a staff member files what they saw (or what a resident told them) as a request of their own.
      const report = parseStaffReport(clean)
      if (report) return this.intakeText(row, report, staff.communityId, null, undefined, staff)
      return this.finish(row, { outcome: 'help', replies: [this.dmReply(row, `没看懂这条消息。\n${T.STAFF_HELP}`)] })
    }
    // 我的工单 is a resident's 进度 as much as a staff member's 待办: only a staff command proper is refused.
    if (isStaffCommand(clean) && !isProgressQuery(clean)) return this.finish(row, { outcome: 'refused', replies: [this.dmReply(row, T.NOT_STAFF)] })

    const communityId = await this.communityForResident(row.senderName!)
    if (communityId == null) return this.finish(row, { outcome: 'ignored' })
    if (isHelpRequest(clean)) return this.finish(row, { outcome: 'help', replies: [this.dmReply(row, T.RESIDENT_HELP)] })
    if (isProgressQuery(clean)) return this.progress(row, communityId)
    if (parseCallbackAnswer(clean)) {
      const answered = await this.callbackAnswer(row, communityId, clean)
      if (answered) return answered
    }
    return this.intakeText(row, clean, communityId, null)
  }

  /** The community of a private sender: where they are known as a resident, else the first one. */
  private async communityForResident(wechatName: string): Promise<number | null> {
    const resident = await this.db.getRepository(Resident).findOne({ where: { wechatName }, order: { id: 'ASC' } })
    if (resident?.communityId != null) return resident.communityId
    const first = await this.db.getRepository(Community).find({ order: { id: 'ASC' }, take: 1 })
    return first[0]?.id ?? null
  }

  /** The grid leader who looks after a resident: from their latest request, else from their building. */
  private async gridLeaderOf(wechatName: string, communityId: number): Promise<string | null> {
    const resident = await this.db.getRepository(Resident).findOne({ where: { communityId, wechatName }, order: { id: 'ASC' } })
    if (!resident) return null
    const community = await loadCommunity(this.db.manager, communityId)
    const latest = await this.db.getRepository(RequestReporter).findOne({ where: { residentId: resident.id }, order: { id: 'DESC' } })
    const request = latest ? await this.db.getRepository(ServiceRequest).findOneBy({ id: latest.requestId }) : null
    const gridId = request?.gridId ?? community.buildings.find((b) => resident.building != null && b.code === resident.building)?.gridId ?? null
    const grid = community.grids.find((g) => g.id === gridId)
    return staffById(community, grid?.leaderStaffId)?.name ?? null
  }

  /** A 回访 answer (1/2/3 or words) when one is awaited from this resident; null lets the text go on to intake. */
  private async callbackAnswer(row: InboxMessage, communityId: number, text: string): Promise<{ outcome: Outcome; requestId?: number | null } | null> {
    try {
      return await inTransaction(this.db, async (em) => {
        const resident = await findOrCreateWechatResident(em, { communityId, wechatName: row.senderName!, contactId: row.senderId })
        const answer = await answerCallback(em, this.clock, { residentId: resident.id, text, channel: 'private' })
        if (!answer) return null
        await markProcessed(em, this.clock, row, answer.requestId)
        return { outcome: 'callback' as const, requestId: answer.requestId }
      })
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      return this.finish(row, { outcome: 'rejected', replies: [this.dmReply(row, err.message)] })
    }
  }

  private async progress(row: InboxMessage, communityId: number) {
    const rows = await this.openRequestsOf(row.senderName!, communityId)
    return this.finish(row, { outcome: 'progress', replies: [this.dmReply(row, T.progressList(rows))] })
  }

  /** A resident's requests still in hand (open or awaiting 回访), newest first, with who handles each. */
  private async openRequestsOf(wechatName: string, communityId: number): Promise<{ request: ServiceRequest; handler: string | null }[]> {
    const resident = await this.db.getRepository(Resident).findOne({ where: { communityId, wechatName }, order: { id: 'ASC' } })
    if (!resident) return []
    const mine = await this.db.getRepository(RequestReporter).find({ where: { residentId: resident.id } })
    if (!mine.length) return []
    const requests = await this.db.getRepository(ServiceRequest).find({
      where: { id: In(mine.map((m) => m.requestId)), status: In([...OPEN_STATUSES, 'resolved']) }, order: { id: 'DESC' }, take: 10,
    })
    const community = await loadCommunity(this.db.manager, communityId)
    return requests.map((request) => ({ request, handler: staffById(community, request.assigneeStaffId)?.name ?? null }))
  }

  /** Runs a staff command; the answer always goes to the staff member privately. */
  private async staffCommand(row: InboxMessage, staff: Staff, command: NonNullable<ReturnType<typeof parseStaffCommand>>, also?: (em: EntityManager) => Promise<void>) {
    if (command.kind === 'help') return this.finish(row, { outcome: 'help', replies: [this.dmReply(row, T.STAFF_HELP)], also })
    if (command.kind === 'malformed') return this.finish(row, { outcome: 'command_rejected', replies: [this.dmReply(row, T.malformedCommand(command.verb, command.usage))], also })
    try {
      return await inTransaction(this.db, async (em) => {
        await also?.(em)
        const { reply, requestId } = await runStaffCommand(em, this.clock, staff, command)
        await enqueue(em, this.clock, [this.dmReply(row, reply)])
        await markProcessed(em, this.clock, row, requestId)
        return { outcome: 'command' as const, requestId }
      })
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      return this.finish(row, { outcome: 'command_rejected', replies: [this.dmReply(row, await this.commandErrorText(err, staff, command))], also })
    }
  }

  /** The domain's message, or a plainer one with the way out for the two mistakes staff make most. */
  private async commandErrorText(err: DomainError, staff: Staff, command: StaffCommand): Promise<string> {
    if (err.code === 'request_not_found' && 'no' in command) return T.requestNotFound(command.no)
    if (err.code === 'staff_not_found' && command.kind === 'transfer') {
      const community = await loadCommunity(this.db.manager, staff.communityId)
      return T.staffNotFound(command.to, community.staff.filter((s) => s.active && s.id !== staff.id).map((s) => s.name))
    }
    return err.message
  }

  // ---------------------------------------------------------------------------------------------
  // Photos and voice

  /**
   * A photo from a staff member within 10 minutes of their 完成 goes to that request; from a resident,
   * within 5 minutes of their report. Otherwise a private sender is asked what it is about.
   */
  private async attachImage(row: InboxMessage, communityId: number | null, also?: (em: EntityManager) => Promise<void>) {
    const file = fileOf(row)
    const at = row.receivedAt.getTime()
    let target: { requestId: number; uploaderType: 'staff' | 'resident'; uploaderId: number } | null = null
    if (file && communityId != null) {
      const staff = await this.db.getRepository(Staff).findOne({ where: { communityId, wechat: row.senderName!, active: true } })
      if (staff) {
        const done = await this.db.getRepository(RequestEvent).findOne({
          where: { actorType: 'staff', actorId: staff.id, toStatus: 'resolved', createdAt: MoreThanOrEqual(new Date(at - STAFF_PHOTO_WINDOW_MS)) },
          order: { id: 'DESC' },
        })
        if (done) target = { requestId: done.requestId, uploaderType: 'staff', uploaderId: staff.id }
      }
      if (!target) {
        const resident = await this.db.getRepository(Resident).findOne({ where: { communityId, wechatName: row.senderName! }, order: { id: 'ASC' } })
        const reported = resident && await this.db.getRepository(RequestReporter).findOne({
          where: { residentId: resident.id, createdAt: MoreThanOrEqual(new Date(at - RESIDENT_IMAGE_WINDOW_MS)) }, order: { id: 'DESC' },
        })
        if (resident && reported) target = { requestId: reported.requestId, uploaderType: 'resident', uploaderId: resident.id }
      }
    }
    if (!target || !file) {
      const fromStaff = communityId != null && await this.db.getRepository(Staff).exists({ where: { communityId, wechat: row.senderName!, active: true } })
      return this.finish(row, { outcome: 'image_unmatched', replies: row.roomTopic ? [] : [this.dmReply(row, fromStaff ? T.STAFF_PHOTO_UNMATCHED : T.IMAGE_WITHOUT_REQUEST)], also })
    }
    const request = await this.db.getRepository(ServiceRequest).findOneByOrFail({ id: target.requestId })
    const t = target
    return this.finish(row, {
      outcome: 'image_attached', requestId: t.requestId,
      replies: row.roomTopic ? [] : [this.dmReply(row, T.imageAttached(request.no))],
      also: async (em) => {
        await also?.(em)
        const saved = await em.save(Attachment, em.create(Attachment, {
          requestId: t.requestId, kind: 'image', storageKey: file.storageKey, mime: file.mime, size: file.size,
          uploaderType: t.uploaderType, uploaderId: t.uploaderId, createdAt: this.clock.now(),
        }))
        await recordEvent(em, this.clock, {
          requestId: t.requestId, type: 'attachment_added', actor: { type: t.uploaderType, id: t.uploaderId },
          channel: row.roomTopic ? 'group' : 'private', data: { attachmentId: saved.id, kind: 'image' },
        })
      },
    })
  }

  private async transcribe(row: InboxMessage): Promise<string | null> {
    const file = fileOf(row)
    if (!this.deps.transcribe || !file) return null
    try {
      const audio = await this.deps.storage.get(file.storageKey)
      if (!audio) return null
      const text = (await this.deps.transcribe(audio, file.name ?? file.storageKey.split('/').pop()!)).trim()
      return text || null
    } catch (err) {
      this.log.warn({ inboxId: row.id, err: errorText(err) }, 'voice transcription failed; asking for typed text')
      return null
    }
  }

  private async voice(row: InboxMessage, communityId: number, room: ChatRoom, also?: (em: EntityManager) => Promise<void>) {
    const heard = await this.transcribe(row)
    if (heard) return this.intakeText(row, heard, communityId, room, also)
    let leader: string | null = null
    if (room.gridId) {
      const community = await loadCommunity(this.db.manager, communityId)
      const grid = community.grids.find((g) => g.id === room.gridId)
      leader = staffById(community, grid?.leaderStaffId)?.name ?? null
    }
    // A community-wide group has no grid of its own: name the leader who looks after this resident.
    leader ??= await this.gridLeaderOf(row.senderName!, communityId)
    return this.finish(row, { outcome: 'voice_unreadable', replies: [this.roomReply(row, T.voiceFallback(leader))], also })
  }
}

interface StoredFile { storageKey: string; mime: string; size: number; name?: string }

function fileOf(row: InboxMessage): StoredFile | null {
  const f = row.payload?.file as StoredFile | undefined
  return f && typeof f.storageKey === 'string' ? f : null
}
