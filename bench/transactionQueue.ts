// Does the SQLite transaction queue (src/db/transaction.ts) cost anything, and is it needed? `npx tsx bench/transactionQueue.ts`:
// µs per transaction with and without it, and what happens to concurrent transactions on the one connection without it.
import 'reflect-metadata'
import { openDatabase } from '../src/db/dataSource.js'
import { inTransaction } from '../src/db/transaction.js'
const db = await openDatabase('sqlite::memory:')
const N = 3000
const time = async (label: string, f: () => Promise<unknown>) => { for (let i = 0; i < 300; i++) await f(); const t = performance.now(); for (let i = 0; i < N; i++) await f(); console.log(label, ((performance.now() - t) * 1000 / N).toFixed(1), 'µs/tx') }
for (let r = 0; r < 2; r++) {
  await time('ds.transaction (no queue)', () => db.transaction((em) => em.query('SELECT 1')))
  await time('inTransaction (queued)   ', () => inTransaction(db, (em) => em.query('SELECT 1')))
}
// 16 concurrent writers: the queue serialises them; without it TypeORM refuses the second BEGIN on the one connection.
const errors = await Promise.allSettled(Array.from({ length: 16 }, () => db.transaction(async (em) => { await em.query('SELECT 1'); await new Promise((r) => setTimeout(r, 1)); await em.query('SELECT 2') })))
console.log('unqueued concurrent transactions failing:', errors.filter((e) => e.status === 'rejected').length, 'of 16', (errors.find((e) => e.status === 'rejected') as PromiseRejectedResult | undefined)?.reason?.message?.slice(0, 80))
const queued = await Promise.allSettled(Array.from({ length: 16 }, () => inTransaction(db, async (em) => { await em.query('SELECT 1'); await new Promise((r) => setTimeout(r, 1)); await em.query('SELECT 2') })))
console.log('queued concurrent transactions failing:', queued.filter((e) => e.status === 'rejected').length, 'of 16')
await db.destroy()
