// rss_100k: the resident set of a process that ingests N messages the way the service does (inbox → intake →
// request → outbox, offline classifier), measured in a child process of its own so that nothing else of the
// benchmark (autocannon's clients, the 1M-row reports, their result sets) counts in it. Run by bench/run.ts:
//   tsx bench/rss.ts <databaseUrl> <messages>
// prints one JSON line: RSS and heap every 10,000 messages (every 10% of fewer), and at the end after a full GC.
import 'reflect-metadata'
import { InboxProcessor } from '../bot/processor.js'
import { systemClock } from '../src/clock.js'
import { importCommunityFile } from '../src/community/import.js'
import { parseConfig } from '../src/config.js'
import { openDatabase } from '../src/db/dataSource.js'
import { ChatRoom, Grid } from '../src/db/entities/index.js'
import { OfflineClassifier } from '../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../src/logger.js'
import type { FileStorage } from '../src/storage/index.js'
import { corpus } from './corpus.js'

const KEY = 'bench-encryption-key-0123456789abcdef'
const [url, messagesArg] = process.argv.slice(2)
const N = Number(messagesArg)
if (!url || !N) throw new Error('usage: tsx bench/rss.ts <databaseUrl> <messages>')
const mb = (b: number) => Math.round(b / 1e5) / 10
const noFiles: FileStorage = { put: async () => undefined, get: async () => null, delete: async () => undefined }

const db = await openDatabase(url)
const config = parseConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DATABASE_URL: url, DATA_ENCRYPTION_KEY: KEY, JWT_SECRET: 'bench-jwt-secret-0123456789abcdef-0123456789' })
const { communityId } = await importCommunityFile(db, 'examples/community.yaml', { encryptionKey: KEY })
const grid = await db.getRepository(Grid).findOneByOrFail({ communityId })
const rooms = Array.from({ length: 16 }, (_, i) => `内存${i}号楼业主群`)
for (const topic of rooms) await db.getRepository(ChatRoom).insert({ communityId, topic, gridId: grid.id, wechatRoomId: null })
const processor = new InboxProcessor({ ctx: { config, db, clock: systemClock, logger: silentLogger }, classifier: new OfflineClassifier(), storage: noFiles, groupBatch: !process.env.BENCH_NO_BATCH })
const texts = corpus(5000, 11)
/** a sample every 10,000 messages (every 10% of fewer), without a GC: what the process holds while it works */
const EVERY = Math.max(1, Math.min(10_000, Math.floor(N / 10)))
const samples: { messages: number; rss_mb: number; heap_mb: number }[] = []
const t0 = performance.now()
let next = 0
await Promise.all(rooms.map(async (room, c) => {
  for (let k = next++; k < N; k = next++) {
    await processor.receive({ messageId: `rss-${k}`, kind: 'text', roomTopic: room, roomId: null, senderName: `居民${k % 500}`, senderId: `wxid-rss-${k % 500}`, text: texts[(k * 7 + c) % texts.length]!, payload: null })
    if ((k + 1) % EVERY === 0) { const m = process.memoryUsage(); samples.push({ messages: k + 1, rss_mb: mb(m.rss), heap_mb: mb(m.heapUsed) }) }
  }
}))
const seconds = (performance.now() - t0) / 1000
global.gc?.()
const m = process.memoryUsage()
console.log(JSON.stringify({ messages: N, seconds: Math.round(seconds), rss_mb: mb(m.rss), heap_mb: mb(m.heapUsed), heap_total_mb: mb(m.heapTotal), external_mb: mb(m.external), array_buffers_mb: mb(m.arrayBuffers), samples }))
processor.close()
await db.destroy()
process.exit(0)
