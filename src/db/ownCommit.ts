import mysql from 'mysql2'
import type { DataSource } from 'typeorm'

/**
 * One MySQL connection of its own per data source, outside TypeORM's pool, for a statement that must commit on
 * its own while the caller holds a pool connection in a transaction (intake's request number). From the pool it
 * could deadlock the pool itself: every connection held by a transaction waiting for one more. Statements on it
 * run one at a time; a broken connection is replaced on the next call. Logged through the data source's logger
 * like any other statement. Closed with the data source.
 */
interface Own { conn: mysql.Connection | null; queue: Promise<unknown> }
const owns = new WeakMap<DataSource, Own>()

function connect(ds: DataSource): mysql.Connection {
  const o = ds.options as { host?: string; port?: number; username?: string; password?: string; database?: string }
  const conn = mysql.createConnection({ host: o.host, port: o.port, user: o.username, password: o.password, database: o.database, charset: 'utf8mb4_unicode_ci', timezone: 'Z', connectTimeout: 5000 })
  conn.on('error', () => { const own = owns.get(ds); if (own?.conn === conn) own.conn = null })
  return conn
}

function ownOf(ds: DataSource): Own {
  let own = owns.get(ds)
  if (!own) {
    own = { conn: null, queue: Promise.resolve() }
    owns.set(ds, own)
    const destroy = ds.destroy.bind(ds)
    const mine = own
    ds.destroy = async () => {
      const conn = mine.conn
      mine.conn = null
      if (conn) await new Promise<void>((resolve) => conn.end(() => resolve()))
      owns.delete(ds)
      return destroy()
    }
  }
  return own
}

/** Runs one statement on the data source's own connection, committed at once; its OK packet's counts. */
export function executeOnItsOwn(ds: DataSource, sql: string, params: unknown[]): Promise<{ affected: number; insertId: number }> {
  const own = ownOf(ds)
  const run = own.queue.catch(() => undefined).then(() => new Promise<{ affected: number; insertId: number }>((resolve, reject) => {
    const conn = (own.conn ??= connect(ds))
    ds.logger.logQuery(sql, params)
    conn.query(sql, params, (err, result) => {
      if (err) {
        if (err.fatal) { own.conn = null; conn.destroy() }
        reject(err)
        return
      }
      const r = result as mysql.ResultSetHeader
      resolve({ affected: Number(r.affectedRows ?? 0), insertId: Number(r.insertId ?? 0) })
    })
  }))
  own.queue = run.catch(() => undefined)
  return run
}
