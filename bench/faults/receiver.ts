// One bot process for the fault script: receives messages over HTTP (as the puppet would deliver them),
// keeps and processes them with the real InboxProcessor, and sends the outbox through a recording sender.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs'
import { createServer } from 'node:http'
import { InboxProcessor } from '../../bot/processor.js'
import { systemClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/dataSource.js'
import type { OutboxMessage } from '../../src/db/entities/index.js'
import { InboxSpool } from '../../src/inbox/spool.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { createLogger } from '../../src/logger.js'
import { OutboxWorker } from '../../src/outbox/worker.js'

const env = process.env
const config = parseConfig({ DATABASE_URL: env.DATABASE_URL, DATA_ENCRYPTION_KEY: env.DATA_ENCRYPTION_KEY, LOG_LEVEL: 'error' })
const logger = createLogger('error')
const db = await openDatabase(config.DATABASE_URL)
const ctx = { config, db, clock: systemClock, logger }
const sentFile = env.SENT_FILE!
const sendDelay = Number(env.SEND_DELAY_MS ?? 0)

/** Every send is recorded durably, so the driver can count what went out and what went out twice. */
const recording = {
  async send(m: OutboxMessage) {
    if (sendDelay) await new Promise((r) => setTimeout(r, sendDelay))
    const fd = openSync(sentFile, 'a')
    writeSync(fd, `${m.id}\n`)
    fsyncSync(fd)
    closeSync(fd)
  },
}
const processor = new InboxProcessor({
  ctx, classifier: new OfflineClassifier(), storage: { put: async () => undefined, get: async () => null, delete: async () => undefined },
  spool: new InboxSpool(env.SPOOL_DIR!), inboxTimeoutMs: 3000,
})
const worker = new OutboxWorker({
  db, clock: systemClock, logger, senders: { wechat_room: recording, wechat_dm: recording, wechat_remark: recording },
  throttle: { perChatIntervalMs: 0, perMinute: 1_000_000 }, claimLeaseMs: Number(env.LEASE_MS ?? 60_000),
})

let draining = false
setInterval(() => {
  if (draining || env.NO_OUTBOX) return
  draining = true
  worker.drain().catch(() => undefined).finally(() => { draining = false })
}, 200)
let recovering = false
const recover = () => {
  if (recovering) return
  recovering = true
  processor.replaySpool().then(() => processor.processPending()).catch(() => undefined).finally(() => { recovering = false })
}
setInterval(recover, 2000)
recover()

createServer((req, res) => {
  if (req.url === '/healthz') { res.end('ok'); return }
  const chunks: Buffer[] = []
  req.on('data', (c: Buffer) => chunks.push(c))
  req.on('end', () => {
    const m = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    processor.receive(m).then((h) => {
      // Not kept anywhere: the deliverer must try again (as a puppet redelivers an unacknowledged message).
      res.writeHead(h.outcome === 'failed' && h.inboxId === null ? 503 : 200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(h))
    }, (err) => { res.writeHead(500); res.end(String(err)) })
  })
}).listen(Number(env.PORT), '127.0.0.1')
