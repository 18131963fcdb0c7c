// The baselines each figure is compared with, measured in the same run: raw single-row inserts through
// the bare driver (mysql2 / better-sqlite3), raw SQL over the same rows, and bare Koa + @koa/router.
import Router from '@koa/router'
import Database from 'better-sqlite3'
import Koa from 'koa'
import mysql from 'mysql2/promise'
import type { Server } from 'node:http'

export interface RawDb {
  /** single-row INSERTs (autocommit) from `writers` concurrent writers */
  insertsPerSecond(writers: number, n: number): Promise<number>
  /** the 365-day (or weekly) aggregate: GROUP BY category, status over the period */
  aggregate(communityId: number, from: Date, to: Date): Promise<unknown>
  /** every column of the period's rows, as the CSV reads them */
  selectRows(communityId: number, from: Date, to: Date): Promise<unknown>
  close(): Promise<void>
}

const TABLE = 'CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY AUTO_INCREMENT, room VARCHAR(128) NOT NULL, sender VARCHAR(64) NOT NULL, text TEXT NOT NULL, created_at DATETIME(3) NOT NULL)'
const AGG = 'SELECT category, status, COUNT(*) AS n FROM requests WHERE community_id = ? AND created_at >= ? AND created_at < ? GROUP BY category, status'
const ROWS = 'SELECT * FROM requests WHERE community_id = ? AND created_at >= ? AND created_at < ? ORDER BY created_at, id'
const sqliteTime = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '')

export async function rawInserts(url: string): Promise<RawDb> {
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length))
    db.pragma('journal_mode = WAL')
    db.exec(TABLE.replace('INTEGER PRIMARY KEY AUTO_INCREMENT', 'INTEGER PRIMARY KEY AUTOINCREMENT'))
    const insert = db.prepare('INSERT INTO bench_raw (room, sender, text, created_at) VALUES (?, ?, ?, ?)')
    return {
      async insertsPerSecond(_writers, n) {
        // one connection, one writer: SQLite has no concurrent writers to offer
        const t = performance.now()
        for (let i = 0; i < n; i++) insert.run(`room${i % 16}`, `居民${i % 300}`, `3号楼楼道灯坏了 ${i}`, sqliteTime(new Date()))
        return n / ((performance.now() - t) / 1000)
      },
      async aggregate(c, from, to) { return db.prepare(AGG).all(c, sqliteTime(from), sqliteTime(to)) },
      async selectRows(c, from, to) { return db.prepare(ROWS).all(c, sqliteTime(from), sqliteTime(to)).length },
      async close() { db.close() },
    }
  }
  const pool = mysql.createPool({ uri: url.replace(/^mariadb:/, 'mysql:'), connectionLimit: 16, timezone: 'Z' })
  await pool.query(TABLE)
  return {
    async insertsPerSecond(writers, n) {
      const t = performance.now()
      let next = 0
      await Promise.all(Array.from({ length: writers }, async () => {
        for (let i = next++; i < n; i = next++) await pool.execute('INSERT INTO bench_raw (room, sender, text, created_at) VALUES (?, ?, ?, ?)', [`room${i % 16}`, `居民${i % 300}`, `3号楼楼道灯坏了 ${i}`, new Date()])
      }))
      return n / ((performance.now() - t) / 1000)
    },
    async aggregate(c, from, to) { return (await pool.query(AGG, [c, from, to]))[0] },
    async selectRows(c, from, to) { return ((await pool.query(ROWS, [c, from, to]))[0] as unknown[]).length },
    async close() { await pool.end() },
  }
}

/** Bare Koa + @koa/router answering with the same bodies the real API sent. */
export async function bareKoa(port: number, bodies: { get: string; post: string }): Promise<{ url: string; close: () => Promise<void> }> {
  const app = new Koa()
  const router = new Router()
  router.get('/api/requests', (ctx) => { ctx.type = 'application/json'; ctx.body = bodies.get })
  router.post('/api/requests', async (ctx) => {
    let raw = ''
    for await (const chunk of ctx.req) raw += chunk
    JSON.parse(raw)
    ctx.status = 201
    ctx.type = 'application/json'
    ctx.body = bodies.post
  })
  app.use(router.routes())
  const server: Server = await new Promise((resolve) => { const s = app.listen(port, '127.0.0.1', () => resolve(s)) })
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()) }) }
}
