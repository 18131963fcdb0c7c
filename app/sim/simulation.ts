import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FileBox } from 'file-box'
import type { DataSource } from 'typeorm'
import { In, IsNull, MoreThan } from 'typeorm'
import { log as wechatyLog, types, WechatyBuilder, type payloads, type Wechaty } from 'wechaty'
import { mock, PuppetMock } from 'wechaty-puppet-mock'
import { RequestIntake } from '../../bot/plugin.js'
import type { Handled, Transcriber } from '../../bot/processor.js'
import { wechatySenders } from '../../bot/sender.js'
import { VirtualClock } from '../../src/clock.js'
import { importCommunityFile } from '../../src/community/import.js'
import { loadCommunity, type CommunitySnapshot } from '../../src/community/snapshot.js'
import type { Config } from '../../src/config.js'
import type { AppContext } from '../../src/context.js'
import { OutboxMessage, RequestReporter, Resident, ServiceRequest, Staff, Volunteer } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { issueBindCode, redeemBindCode } from '../../src/people/staffIdentity.js'
import { issueVolunteerBindCode, redeemVolunteerBindCode } from '../../src/volunteers/identity.js'
import type { Classifier } from '../../src/intake/classifier/types.js'
import { createClassifier } from '../../src/intake/classifierFactory.js'
import { dueRuns, JOBS } from '../../src/jobs/registry.js'
import type { Logger } from '../../src/logger.js'
import { OutboxWorker } from '../../src/outbox/worker.js'
import type { FileStorage } from '../../src/storage/index.js'
import { displayName } from '../../src/requests/index.js'
import { localParts } from '../../src/time.js'
import { fillPlaceholders, ScenarioError, type MessageStep, type Scenario } from './scenario.js'

export const SAMPLE_COMMUNITY = resolve(fileURLToPath(import.meta.url), '../../../examples/community.yaml')

/** One message the bot sent, as the simulator prints it. */
export type OutputLine =
  | { at: string; type: 'room'; room: string; text: string }
  | { at: string; type: 'dm'; to: string; text: string }

export interface StateRequest {
  no: string
  status: string
  category: string
  urgency: string
  building: string | null
  grid: string | null
  assignee: string | null
  reporter: string | null
  reports: number
  rating: string | null
  reopened: number
}
export interface StateLine { type: 'state'; requests: StateRequest[] }

export interface SimulationOptions {
  db: DataSource
  config: Config
  logger: Logger
  start: Date
  /** community YAML; defaults to the shipped sample */
  communityFile?: string | null
  /** defaults to the configured classifier (offline unless OPENAI_API_KEY is set) */
  classifier?: Classifier
  /** voice transcription; defaults to none (the bot asks for typed text) */
  transcribe?: Transcriber | null
  /** each message the bot sends, as it is sent */
  onOutput?: (line: OutputLine) => void
  /** the bot's WeChat name */
  botName?: string
}

/** Files received in the simulator stay in memory. */
class MemoryStorage implements FileStorage {
  private readonly files = new Map<string, Buffer>()
  async put(key: string, data: Uint8Array) { this.files.set(key, Buffer.from(data)) }
  async get(key: string) { return this.files.get(key) ?? null }
  async delete(key: string) { this.files.delete(key) }
}

// A 1×1 JPEG and a few bytes of "voice", enough for the bot to store and sniff.
const TINY_JPEG = Buffer.from('/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=', 'base64')
const FAKE_SILK = Buffer.from('#!SILK_V3 simulated voice', 'utf8')

/** ISO-8601 in the community's zone: 2026-11-23T09:00:00+08:00 */
export function isoInZone(d: Date, timeZone: string): string {
  const p = localParts(d, timeZone)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  const offsetMin = Math.round((asUtc - Math.floor(d.getTime() / 1000) * 1000) / 60_000)
  const sign = offsetMin >= 0 ? '+' : '-'
  const off = Math.abs(offsetMin)
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(off / 60))}:${pad(off % 60)}`
}

/**
 * The real bot on wechaty-puppet-mock, the real database, intake and scheduled jobs, on a virtual clock.
 *
 * Throttling: the simulator's outbox worker runs with no throttle (0 ms per chat, no per-minute cap), so
 * every message goes out at the virtual time it became due; throttling itself is tested on the worker.
 * Waiting fires every job at each time its schedule falls in the interval, in order, and delivers outbox
 * rows that become due in between (e.g. a 回访 held back by quiet hours) at their due time.
 */
export class Simulation {
  readonly clock: VirtualClock
  readonly outputs: OutputLine[] = []

  /** What the bot sent while fn ran. */
  async sentDuring(fn: () => Promise<unknown>): Promise<OutputLine[]> {
    const before = this.outputs.length
    await fn()
    return this.outputs.slice(before)
  }
  private readonly contacts = new Map<string, mock.ContactMock>()
  private readonly rooms = new Map<string, mock.RoomMock>()
  private readonly runId = randomBytes(4).toString('hex')
  private seq = 0
  private baselineRequestId = 0
  private community!: CommunitySnapshot
  private user!: mock.ContactMock
  private constructor(
    private readonly o: SimulationOptions,
    readonly ctx: AppContext,
    private readonly mocker: mock.Mocker,
    private readonly puppet: PuppetMock,
    readonly bot: Wechaty,
    readonly plugin: ReturnType<typeof RequestIntake>,
    private readonly worker: OutboxWorker,
  ) {
    this.clock = ctx.clock as VirtualClock
  }

  static async create(o: SimulationOptions): Promise<Simulation> {
    // Wechaty's logger prints info lines on stdout; the simulator's stdout is reserved for its JSON lines: at most
    // warnings, unless WECHATY_LOG asks for less (silent, error) or for debugging detail (verbose, silly).
    const asked = process.env.WECHATY_LOG
    wechatyLog.level(asked === 'silent' || asked === 'error' || asked === 'verbose' || asked === 'silly' ? asked : 'warn')
    const clock = new VirtualClock(o.start)
    const ctx: AppContext = { config: o.config, db: o.db, clock, logger: o.logger }
    const summary = await importCommunityFile(o.db, o.communityFile ?? SAMPLE_COMMUNITY, { encryptionKey: o.config.DATA_ENCRYPTION_KEY })
    const mocker = new mock.Mocker()
    const puppet = new PuppetMock({ mocker })
    const bot = WechatyBuilder.build({ puppet })
    const plugin = RequestIntake({
      ctx, classifier: o.classifier ?? createClassifier(o.config, o.logger), storage: new MemoryStorage(),
      transcribe: o.transcribe ?? null,
    })
    bot.use(plugin)
    bot.on('error', (err) => o.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'wechaty error'))
    const worker = new OutboxWorker({
      db: o.db, clock, logger: o.logger, senders: {
        ...wechatySenders(() => bot),
        mp_subscribe: { send: async (m) => { o.logger.info({ openid: m.target, text: m.text }, 'mini-program subscribe message (not simulated)') } },
      },
      throttle: { perChatIntervalMs: 0, perMinute: Number.MAX_SAFE_INTEGER },
    })
    const sim = new Simulation(o, ctx, mocker, puppet, bot, plugin, worker)
    await sim.setUp(summary.communityId)
    return sim
  }

  private async setUp(communityId: number) {
    const { db } = this.o
    this.community = await loadCommunity(db.manager, communityId)
    const last = await db.getRepository(ServiceRequest).find({ order: { id: 'DESC' }, take: 1, select: { id: true } })
    this.baselineRequestId = last[0]?.id ?? 0

    await this.bot.start()
    const loggedIn = new Promise<void>((res) => this.bot.once('login', () => res()))
    this.user = this.mocker.createContact({ name: this.o.botName ?? '社区小助手' })
    this.mocker.login(this.user)
    await loggedIn
    // Capture what the bot says, synchronously and in order, where the mock puppet delivers it.
    const userEvents = this.user as unknown as NodeJS.EventEmitter
    userEvents.on('message', (msg: mock.MessageMock) => {
      const p = msg.payload as payloads.Message & { roomId?: string; listenerId?: string }
      if (p.talkerId !== this.user.id || typeof p.text !== 'string') return
      const at = isoInZone(this.clock.now(), this.community.community.timezone)
      const line: OutputLine = p.roomId
        ? { at, type: 'room', room: this.mocker.RoomMock.load(p.roomId).payload.topic, text: p.text }
        : { at, type: 'dm', to: this.mocker.ContactMock.load(p.listenerId!).payload.name, text: p.text }
      this.outputs.push(line)
      this.o.onOutput?.(line)
    })

    // Everyone in the community file is a contact and a member of their rooms.
    const { staff, grids, rooms } = this.community
    for (const s of staff.filter((x) => x.active)) this.contact(s.wechat)
    await this.bindStaff(communityId)
    for (const room of rooms) {
      const grid = grids.find((g) => g.id === room.gridId)
      const members = staff.filter((s) => s.active && (
        !grid || s.role === 'secretary' || (s.role !== 'grid_leader' && !grids.some((g) => g.deputyStaffId === s.id)) || s.id === grid.leaderStaffId || s.id === grid.deputyStaffId))
      this.room(room.topic, members.map((s) => s.wechat))
    }
  }

  /**
   * Every active, unbound staff member of the community file binds their WeChat (the mock contact with their
   * name) the way a real one does, with a one-time code: staff commands work from the first step.
   */
  async bindStaff(communityId: number): Promise<void> {
    const staff = await this.o.db.getRepository(Staff).find({ where: { communityId, active: true, wechatContactId: IsNull() } })
    for (const s of staff) {
      await inTransaction(this.o.db, async (em) => {
        const { code } = await issueBindCode(em, this.clock, { communityId, staffId: s.id })
        await redeemBindCode(em, this.clock, { code, contactId: this.contact(s.wechat).id, recentFailures: 0 })
      })
    }
    // Volunteers bind the same way, so their 认领 works from the first step.
    const volunteers = await this.o.db.getRepository(Volunteer).find({ where: { communityId, active: true, wechatContactId: IsNull() } })
    for (const v of volunteers) {
      await inTransaction(this.o.db, async (em) => {
        const { code } = await issueVolunteerBindCode(em, this.clock, { communityId, volunteerId: v.id })
        await redeemVolunteerBindCode(em, this.clock, { code, contactId: this.contact(v.wechat).id, recentFailures: 0 })
      })
    }
  }

  /** The community's timezone (Asia/Shanghai in the sample). */
  get timezone(): string {
    return this.community.community.timezone
  }

  /** The mock contact for a WeChat name, created on first use. */
  contact(name: string, impostor = false): mock.ContactMock {
    const key = impostor ? `impostor:${name}` : name
    let c = this.contacts.get(key)
    if (!c) {
      c = this.mocker.createContact({ name, alias: undefined, phone: [] })
      this.contacts.set(key, c)
    }
    return c
  }

  /** The mock group with this topic (created on first use, with the bot in it); the named people join it. */
  room(topic: string, memberNames: string[] = []): mock.RoomMock {
    let r = this.rooms.get(topic)
    if (!r) {
      r = this.mocker.createRoom({ topic, memberIdList: [this.user.id], adminIdList: [], ownerId: this.user.id })
      this.rooms.set(topic, r)
    }
    for (const name of memberNames) {
      const c = this.contact(name)
      if (!r.payload.memberIdList.includes(c.id)) r.payload.memberIdList.push(c.id)
    }
    return r
  }

  /** Numbers of the requests created in this run, in order: {{req1}}, {{req2}} … */
  async requestNumbers(): Promise<string[]> {
    const rows = await this.o.db.getRepository(ServiceRequest).find({
      where: { id: MoreThan(this.baselineRequestId) }, order: { id: 'ASC' }, select: { id: true, no: true },
    })
    return rows.map((r) => r.no)
  }

  /**
   * One person says something (in a room, or privately to the bot); returns when the bot has processed it
   * and sent whatever became due.
   */
  async say(step: MessageStep): Promise<Handled[]> {
    const talker = this.contact(step.from, step.impostor)
    const room = step.room ? this.room(step.room) : null
    if (room && !room.payload.memberIdList.includes(talker.id)) room.payload.memberIdList.push(talker.id)
    const id = `sim-${this.runId}-${++this.seq}`
    const base = { id, talkerId: talker.id, timestamp: this.clock.now().getTime() }
    let payload: payloads.Message
    if (step.image || step.voice) {
      const box = step.image ? FileBox.fromBase64(TINY_JPEG.toString('base64'), 'photo.jpg') : FileBox.fromBase64(FAKE_SILK.toString('base64'), 'voice.silk')
      this.mocker.cacheFileBoxPayload.set(id, box.toJSON())
      payload = { ...base, type: step.image ? types.Message.Image : types.Message.Audio } as payloads.Message
    } else {
      const text = step.mention ? `@${this.user.payload.name}\u2005${step.text}` : step.text!
      payload = { ...base, type: types.Message.Text, text, ...(step.mention ? { mentionIdList: [this.user.id] } : {}) } as payloads.Message
    }
    if (room) Object.assign(payload, { roomId: room.id, mentionIdList: (payload as { mentionIdList?: string[] }).mentionIdList ?? [] })
    else Object.assign(payload, { listenerId: this.user.id })
    this.mocker.MessageMock.create(payload as never)
    const results: Handled[] = []
    for (let i = 0; i < (step.twice ? 2 : 1); i++) {
      const handled = this.plugin.processor.waitHandled(id)
      this.puppet.emit('message', { messageId: id })
      results.push(await withTimeout(handled, 15_000, `the bot did not process message ${id} (${step.from}: ${step.text ?? 'file'})`))
      await this.drain()
    }
    return results
  }

  /** Sends every outbox row that is due now. */
  async drain(): Promise<number> {
    let total = 0
    for (let i = 0; i < 50; i++) {
      const n = await this.worker.drain()
      total += n
      if (n === 0 || (await this.worker.pendingDue()) === 0) break
    }
    return total
  }

  /** When the next pending outbox row falls due (one indexed query), or null. */
  private async nextPendingAt(): Promise<Date | null> {
    const next = await this.o.db.getRepository(OutboxMessage).findOne({
      where: { status: 'pending' }, order: { nextAttemptAt: 'ASC' }, select: { id: true, nextAttemptAt: true },
    })
    return next?.nextAttemptAt ?? null
  }

  /** Sends outbox rows that fall due up to `until`, each at its own due time (moving the clock forward to it). */
  private async deliverUntil(until: Date) {
    for (let guard = 0; guard < 10_000; guard++) {
      const next = await this.nextPendingAt()
      if (!next || next.getTime() > until.getTime()) return
      if (next.getTime() > this.clock.now().getTime()) this.clock.set(next)
      // Every pass sends or fails (a failure moves the row's next attempt later), so this ends.
      await this.drain()
    }
  }

  /** Moves the virtual clock forward, firing each job at every scheduled time in between, in order. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(new Date(this.clock.now().getTime() + ms))
  }

  async advanceTo(target: Date): Promise<void> {
    const tz = this.community.community.timezone
    const DAY = 24 * 3600_000
    while (this.clock.now().getTime() < target.getTime()) {
      const from = this.clock.now()
      const to = new Date(Math.min(target.getTime(), from.getTime() + DAY))
      const runs = JOBS.flatMap((job, order) => dueRuns(job.schedule, from, to, tz).map((at) => ({ at, job, order })))
        .sort((a, b) => a.at.getTime() - b.at.getTime() || a.order - b.order)
      for (const { at, job } of runs) {
        await this.deliverUntil(at)
        this.clock.set(at)
        try {
          await job.run(this.ctx, at)
        } catch (err) {
          this.o.logger.error({ job: job.name, at: at.toISOString(), err: err instanceof Error ? err.message : String(err) }, 'scheduled job failed')
        }
        await this.deliverUntil(at)
      }
      await this.deliverUntil(to)
      this.clock.set(to)
    }
  }

  /** Runs a scenario's steps; {{reqN}} placeholders are filled as requests appear. */
  async run(scenario: Scenario): Promise<void> {
    // Everyone in the scenario has WeChat before they first speak: the bot can write to them first (a volunteer's 确认 request).
    for (const step of scenario.steps) if ('from' in step && !step.impostor) this.contact(step.from)
    for (const [i, step] of scenario.steps.entries()) {
      if ('wait' in step) await this.advance(step.ms)
      else if ('until' in step) {
        if (step.at.getTime() < this.clock.now().getTime()) {
          throw new ScenarioError(scenario.file, `steps[${i}].until`, `${step.until} is before the simulated time ${this.clock.now().toISOString()}`)
        }
        await this.advanceTo(step.at)
      } else {
        const numbers = step.text?.includes('{{') ? await this.requestNumbers() : []
        const text = step.text === undefined ? undefined : fillPlaceholders(step.text, numbers, scenario.file, `steps[${i}].text`)
        await this.say({ ...step, ...(text === undefined ? {} : { text }) })
      }
    }
  }

  /** The requests created in this run, as the final state line shows them (names, not ids). */
  async state(): Promise<StateLine> {
    const { db } = this.o
    const requests = await db.getRepository(ServiceRequest).find({ where: { id: MoreThan(this.baselineRequestId) }, order: { id: 'ASC' } })
    const reporters = requests.length ? await db.getRepository(RequestReporter).find({ where: { requestId: In(requests.map((r) => r.id)) } }) : []
    const residentIds = [...new Set(requests.map((r) => r.reporterResidentId).filter((x): x is number => x != null))]
    const residents = residentIds.length ? await db.getRepository(Resident).find({ where: { id: In(residentIds) } }) : []
    const community = await loadCommunity(db.manager, this.community.community.id)
    return {
      type: 'state',
      requests: requests.map((r) => ({
        no: r.no,
        status: r.status,
        category: r.category,
        urgency: r.urgency,
        building: r.building,
        grid: community.grids.find((g) => g.id === r.gridId)?.name ?? null,
        assignee: community.staff.find((s) => s.id === r.assigneeStaffId)?.name ?? null,
        reporter: r.reporterResidentId != null ? displayName(residents.find((x) => x.id === r.reporterResidentId)) : community.staff.find((s) => s.id === r.reporterStaffId)?.name ?? null,
        reports: reporters.filter((x) => x.requestId === r.id).length,
        rating: r.rating,
        reopened: r.reopenCount,
      })),
    }
  }

  async close(): Promise<void> {
    await this.plugin.processor.idle()
    await this.bot.stop().catch(() => undefined)
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms) }),
  ])
}
