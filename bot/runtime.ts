import qrcodeTerminal from 'qrcode-terminal'
import { qrcodeValueToImageUrl, ScanStatus, WechatyBuilder, type Wechaty, type WechatyOptions } from 'wechaty'
import type { AppContext } from '../src/context.js'
import type { Classifier } from '../src/intake/classifier/types.js'
import { transcribeVoice } from '../src/intake/llmTasks.js'
import { OutboxWorker } from '../src/outbox/worker.js'
import { LocalDiskStorage, type FileStorage } from '../src/storage/index.js'
import { OutboxLoop } from './outboxLoop.js'
import { InboxSpool } from '../src/inbox/spool.js'
import { RequestIntake } from './plugin.js'
import { InboxProcessor, type Transcriber } from './processor.js'
import { wechatySenders } from './sender.js'

export type BotState = 'disabled' | 'starting' | 'waiting_for_scan' | 'logged_in' | 'logged_out' | 'error'

/** What the API shows the 书记 about the bot. */
export interface BotStatus {
  state: BotState
  puppet: string
  /** the bot's WeChat name once logged in */
  user?: string
  /** a link to the login QR code image while waiting for a scan */
  qrcodeUrl?: string
  lastError?: string
  /** when the next login attempt is due, after a failure */
  retryAt?: string
  since: string
}

let currentStatus: BotStatus = { state: 'disabled', puppet: '', since: new Date().toISOString() }
/** The running bot's status (state 'disabled' when the bot is not started). */
export const getBotStatus = (): BotStatus => ({ ...currentStatus })

export interface StartBotOptions {
  classifier: Classifier
  storage?: FileStorage
  /** A puppet module name or instance; defaults to Wechaty's own WECHATY_PUPPET, else wechaty-puppet-wechat4u. */
  puppet?: string | WechatyOptions['puppet']
  /** Wechaty's session (memory card) name, kept in `<name>.memory-card.json` so a restart need not rescan; null: no session file. */
  sessionName?: string | null
  /** Print the login QR code in the terminal (default true). */
  printQr?: boolean
  /** Where messages wait while the database is away; default DATA_DIR/inbox-spool.jsonl, null: none. */
  spool?: InboxSpool | null
}

export interface BotHandle {
  status(): BotStatus
  processor: InboxProcessor
  stop(): Promise<void>
}

/** Login retries: 5 s, 10 s, 20 s … up to 5 min. */
export const loginBackoffMs = (failures: number) => Math.min(5_000 * 2 ** Math.max(0, failures - 1), 5 * 60_000)

/**
 * Whether an unhandled rejection was raised inside a WeChat puppet or its protocol library: wechat4u, for one,
 * rejects promises nobody awaits when it cannot reach WeChat (no network, a logout), which says nothing about jiesu.
 */
export function isPuppetRejection(reason: unknown): boolean {
  const stack = reason instanceof Error ? reason.stack ?? '' : ''
  return /node_modules[\\/](?:wechaty-puppet-[^\\/]+|wechat4u|wechaty)[\\/]/.test(stack.split('\n').slice(1, 4).join('\n'))
}

let guardInstalled = false
/** A puppet that loses its connection may reject promises nobody awaits; log them instead of dying. */
export function installRejectionGuard(ctx: Pick<AppContext, 'logger'>): void {
  if (guardInstalled) return
  guardInstalled = true
  process.on('unhandledRejection', (reason) => {
    const err = reason instanceof Error ? reason.stack ?? reason.message : String(reason)
    if (isPuppetRejection(reason)) ctx.logger.warn({ err }, 'the WeChat puppet failed inside its own code (no network or a logout?); kept running, the bot retries its login')
    else ctx.logger.error({ err }, 'unhandled promise rejection (kept running)')
  })
}

export function transcriberFrom(config: AppContext['config']): Transcriber | null {
  const apiKey = config.OPENAI_API_KEY
  if (!apiKey) return null
  return (audio, filename) => transcribeVoice({
    apiKey, baseURL: config.OPENAI_BASE_URL, model: config.OPENAI_TRANSCRIBE_MODEL, timeoutMs: config.OPENAI_TIMEOUT_MS, maxRetries: config.OPENAI_MAX_RETRIES,
  }, audio, filename)
}

/**
 * Starts the WeChat bot next to the API and the jobs: inbox processing (including rows left by a crash),
 * the outbox loop, and the Wechaty login with retries. Never throws for login trouble and never lets the
 * puppet take the process down: it logs why and tries again later.
 */
export async function startBot(ctx: AppContext, opts: StartBotOptions): Promise<BotHandle> {
  const { config, logger } = ctx
  const log = logger.child({ component: 'bot' })
  installRejectionGuard(ctx)
  const puppet = opts.puppet ?? (process.env.WECHATY_PUPPET || 'wechaty-puppet-wechat4u')
  const puppetName = typeof puppet === 'string' ? puppet : (puppet as { name?: () => string }).name?.() ?? 'custom'
  const sessionName = opts.sessionName === undefined ? 'jiesu-bot' : opts.sessionName
  const setStatus = (s: Partial<BotStatus> & { state: BotState }) => {
    currentStatus = { puppet: puppetName, since: new Date().toISOString(), ...s }
  }
  setStatus({ state: 'starting' })

  const storage = opts.storage ?? new LocalDiskStorage(config.UPLOAD_DIR)
  let bot: Wechaty | null = null
  // Tracked from events: asking Wechaty before its puppet is up only produces warnings.
  let loggedIn = false
  const liveBot = () => (loggedIn ? bot : null)
  const processor = new InboxProcessor({
    ctx: { ...ctx, logger: log }, classifier: opts.classifier, storage, transcribe: transcriberFrom(config),
    // While the database is away, messages wait in DATA_DIR/inbox-spool.jsonl and are replayed in order.
    spool: opts.spool === undefined ? new InboxSpool(config.DATA_DIR) : opts.spool,
    botNames: () => {
      try { return loggedIn && bot ? [bot.currentUser.name()] : [] } catch { return [] }
    },
  })
  const worker = new OutboxWorker({
    db: ctx.db, clock: ctx.clock, logger: log, senders: wechatySenders(liveBot),
    throttle: { perChatIntervalMs: config.OUTBOX_PER_CHAT_INTERVAL_MS, perMinute: config.OUTBOX_PER_MINUTE },
  })
  const loop = new OutboxLoop({ worker, logger: log, isReady: () => loggedIn })

  // Messages kept before a crash are processed now; processing needs the database, not WeChat.
  // Also what was kept while processing failed (the database went away mid-way), and anything left in the spool.
  const pendingTimer = setInterval(() => {
    processor.replaySpool()
      .then(() => processor.processPending())
      .catch((err) => log.error({ err: (err as Error).message }, 'processing pending inbox rows failed'))
  }, 10_000)
  processor.processPending()
    .then((n) => n && log.info({ processed: n }, 'processed inbox rows kept before the restart'))
    .catch((err) => log.error({ err: (err as Error).message }, 'processing pending inbox rows failed'))
  await loop.start()

  let stopped = false
  let failures = 0
  let retryTimer: NodeJS.Timeout | null = null

  const scheduleRetry = (why: string) => {
    if (stopped || retryTimer) return
    loggedIn = false
    failures++
    const wait = loginBackoffMs(failures)
    const retryAt = new Date(Date.now() + wait).toISOString()
    setStatus({ state: currentStatus.state === 'logged_out' ? 'logged_out' : 'error', lastError: why, retryAt })
    log.warn({ why, retryInMs: wait, failures }, 'WeChat bot not logged in; retrying later')
    // Not unref'd: waiting to log in again is what keeps `npm run bot` alive.
    retryTimer = setTimeout(() => { retryTimer = null; void launch() }, wait)
    // Stop the failing puppet now: some (wechat4u) otherwise keep retrying on their own, without backoff.
    const failing = bot
    bot = null
    void failing?.stop().catch((err) => log.warn({ err: (err as Error).message }, 'stopping the failed Wechaty failed'))
  }

  // The same error over and over (no network) is logged once a minute with a count, not every time.
  const errorLog = new Map<string, { at: number; suppressed: number }>()
  const logError = (message: string) => {
    const now = Date.now()
    const seen = errorLog.get(message)
    if (seen && now - seen.at < 60_000) { seen.suppressed++; return }
    errorLog.set(message, { at: now, suppressed: 0 })
    log.error({ err: message, repeatedSinceLastLog: seen?.suppressed ?? 0 }, 'Wechaty error')
  }

  const launch = async () => {
    if (stopped) return
    loggedIn = false
    if (bot) {
      const old = bot
      bot = null
      await old.stop().catch((err) => log.warn({ err: (err as Error).message }, 'stopping the previous Wechaty failed'))
    }
    setStatus({ state: 'starting' })
    const next = WechatyBuilder.build({ ...(sessionName ? { name: sessionName } : {}), puppet: puppet as never })
    next.use(RequestIntake({ ctx, classifier: opts.classifier, storage, processor }))
    next.on('scan', (qrcode, status) => {
      if (status !== ScanStatus.Waiting && status !== ScanStatus.Timeout) return
      const qrcodeUrl = qrcodeValueToImageUrl(qrcode)
      setStatus({ state: 'waiting_for_scan', qrcodeUrl })
      log.info({ qrcodeUrl }, 'scan the QR code with the bot\'s WeChat to log in')
      if (opts.printQr !== false) qrcodeTerminal.generate(qrcode, { small: true }, (art) => process.stderr.write(`${art}\n${qrcodeUrl}\n`))
    })
    next.on('login', (user) => {
      if (bot !== next) return
      loggedIn = true
      failures = 0
      setStatus({ state: 'logged_in', user: user.name() })
      log.info({ user: user.name() }, 'WeChat bot logged in')
      loop.poke()
    })
    next.on('logout', (user, reason) => {
      if (bot !== next) return
      loggedIn = false
      setStatus({ state: 'logged_out', user: user?.name(), lastError: reason })
      log.warn({ user: user?.name(), reason }, 'WeChat bot logged out')
      scheduleRetry(`logged out${reason ? `: ${reason}` : ''}`)
    })
    next.on('error', (err) => {
      const message = err instanceof Error ? err.message : String(err)
      logError(message)
      if (bot !== next) return
      currentStatus = { ...currentStatus, lastError: message }
      // Failing before login (no network, blocked account): start over later, with backoff.
      if (!loggedIn && currentStatus.state !== 'waiting_for_scan') scheduleRetry(`cannot log in: ${message}`)
    })
    bot = next
    try {
      await next.start()
    } catch (err) {
      scheduleRetry(`start failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  await launch()

  return {
    status: getBotStatus,
    processor,
    stop: async () => {
      stopped = true
      if (retryTimer) clearTimeout(retryTimer)
      clearInterval(pendingTimer)
      processor.close()
      await loop.stop()
      await processor.idle()
      loggedIn = false
      await bot?.stop().catch(() => undefined)
      bot = null
      setStatus({ state: 'disabled' })
    },
  }
}
