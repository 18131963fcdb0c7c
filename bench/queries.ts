// Statements and transactions per message through inbox → intake → request → outbox (SQLite in memory):
// `npx tsx bench/queries.ts`. Prints one JSON line per kind of message (chatter, new request, attached), after one
// first message that loads the per-process configuration cache. SHOW_QUERIES=1 prints each statement.
import 'reflect-metadata'
import { InboxProcessor } from '../bot/processor.js'
import { systemClock } from '../src/clock.js'
import { importCommunityFile } from '../src/community/import.js'
import { parseConfig } from '../src/config.js'
import { openDatabase } from '../src/db/dataSource.js'
import { OfflineClassifier } from '../src/intake/classifier/offlineClassifier.js'
import { silentLogger } from '../src/logger.js'
import type { FileStorage } from '../src/storage/index.js'

const KEY = 'bench-encryption-key-0123456789abcdef'
const noFiles: FileStorage = { put: async () => undefined, get: async () => null, delete: async () => undefined }
const db = await openDatabase('sqlite::memory:')
await importCommunityFile(db, 'examples/community.yaml', { encryptionKey: KEY })
let statements = 0, transactions = 0
const real = db.logger
;(db as unknown as { logger: unknown }).logger = new Proxy(real, {
  get(target, prop, receiver) {
    if (prop === 'logQuery') return (q: string) => { if (process.env.SHOW_QUERIES) console.error('  ', q.slice(0, 160)); if (/^(BEGIN|START TRANSACTION)/i.test(q)) transactions++; else if (!/^(COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(q)) statements++ }
    return Reflect.get(target, prop, receiver)
  },
})
const config = parseConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: 'sqlite::memory:', DATA_ENCRYPTION_KEY: KEY, JWT_SECRET: 'bench-jwt-secret-0123456789abcdef-0123456789' })
const processor = new InboxProcessor({ ctx: { config, db, clock: systemClock, logger: silentLogger }, classifier: new OfflineClassifier(), storage: noFiles })
let n = 0
async function measure(kind: string, text: string, sender: string) {
  statements = 0; transactions = 0
  const h = await processor.receive({ messageId: `q-${n++}`, kind: 'text', roomTopic: '幸福里3号楼业主群', roomId: null, senderName: sender, senderId: `wxid-${sender}`, text, payload: null })
  console.log(JSON.stringify({ name: `queries_${kind}`, value: statements, unit: 'statements', transactions, outcome: h.outcome }))
}
// The first message of a process also loads the configuration cache (src/community/cache.ts): shown on its own.
await measure('first_message_chatter', '收到，谢谢大家', '赵六')
await measure('chatter', '早上好，今天天气真不错', '张三')
await measure('request', '3号楼2单元楼道灯坏了，晚上很黑', '李四')
await measure('attached', '3号楼2单元楼道的灯坏了，一直不亮', '王五')
// A burst: 64 messages delivered at once (after one that starts it) go in batches (bot/groupBatch.ts). Per message:
const burst = ['3号楼2单元楼道灯坏了，晚上很黑', '早上好', '5号楼电梯停了', '5号楼的电梯又停了', '东门门禁坏了', '谢谢大家', '3号楼楼上半夜拖椅子', '垃圾三天没人收了']
statements = 0; transactions = 0
const first = processor.receive({ messageId: `q-${n++}`, kind: 'text', roomTopic: '幸福里3号楼业主群', roomId: null, senderName: '开头', senderId: 'wxid-start', text: '大家好', payload: null })
const handled = await Promise.all([first, ...Array.from({ length: 64 }, (_, i) => processor.receive({
  messageId: `q-${n++}`, kind: 'text', roomTopic: i % 2 ? '幸福里3号楼业主群' : '幸福里5号楼业主群', roomId: null, senderName: `居民${i}`, senderId: `wxid-b${i}`, text: burst[i % burst.length]!, payload: null,
}))])
const outcomes = Object.fromEntries([...new Set(handled.map((h) => h.outcome))].map((o) => [o, handled.filter((h) => h.outcome === o).length]))
console.log(JSON.stringify({ name: 'queries_burst_per_message', value: Math.round(statements / handled.length * 100) / 100, unit: 'statements', transactions_per_message: Math.round(transactions / handled.length * 100) / 100, messages: handled.length, outcomes }))
await db.destroy()
