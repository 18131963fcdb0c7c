import 'reflect-metadata'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { DataSource, type EntityManager } from 'typeorm'
import { ENTITIES } from './entities/index.js'
import { SnakeNamingStrategy } from './namingStrategy.js'
import { MIGRATIONS } from '../../migrations/index.js'
import { ConfigChangeSubscriber } from '../community/cache.js'
import { bindSqliteNumbers } from './sqliteParameters.js'
import './mysqlPromiseWrappers.js'

export type Dialect = 'sqlite' | 'mysql'

export function dialectOf(ds: DataSource | EntityManager): Dialect {
  const type = 'connection' in ds ? ds.connection.options.type : ds.options.type
  return type === 'better-sqlite3' ? 'sqlite' : 'mysql'
}

/**
 * `sqlite:path/to/file.db` (or `sqlite::memory:`) → embedded better-sqlite3;
 * `mysql://user:pass@host:3306/db` → MySQL/MariaDB through mysql2.
 */
export function createDataSource(databaseUrl: string, opts: { logging?: boolean; poolSize?: number } = {}): DataSource {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    subscribers: [ConfigChangeSubscriber],
    namingStrategy: new SnakeNamingStrategy(),
    logging: opts.logging ?? false,
    migrationsTableName: 'migrations',
  }
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length)
    const database = path === ':memory:' ? ':memory:' : resolve(path)
    if (database !== ':memory:') mkdirSync(dirname(database), { recursive: true })
    const ds = new DataSource({
      ...common,
      type: 'better-sqlite3',
      database,
      // WAL lets the API read while the worker writes; busy_timeout waits instead of failing on a lock.
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('journal_mode = WAL')
        db.pragma('busy_timeout = 5000')
        db.pragma('foreign_keys = ON')
      },
    })
    bindSqliteNumbers(ds)
    return ds
  }
  const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'))
  return new DataSource({
    ...common,
    type: 'mysql',
    host: url.hostname,
    port: Number(url.port || 3306),
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.replace(/^\//, ''),
    charset: 'utf8mb4_unicode_ci',
    // Store and read every DATETIME as UTC so both databases agree.
    timezone: 'Z',
    // No stack captured per statement (mysql2's default): TypeORM's QueryFailedError names the statement.
    trace: false,
    extra: { connectionLimit: opts.poolSize ?? 10 },
  })
}

/** Opens the database and applies pending migrations. */
export async function openDatabase(databaseUrl: string, opts: { logging?: boolean; migrate?: boolean; poolSize?: number } = {}) {
  const ds = createDataSource(databaseUrl, opts)
  await ds.initialize()
  if (opts.migrate !== false) await ds.runMigrations({ transaction: 'each' })
  return ds
}
