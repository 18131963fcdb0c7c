import { ConfigError, loadConfig } from '../../src/config.js'
import { createDataSource } from '../../src/db/dataSource.js'

/** npm run migrate [-- --revert]: applies pending migrations (or reverts the last one). */
try {
  const config = await loadConfig()
  const ds = createDataSource(config.DATABASE_URL)
  await ds.initialize()
  if (process.argv.includes('--revert')) {
    await ds.undoLastMigration({ transaction: 'each' })
    console.log('reverted the last migration')
  } else {
    const applied = await ds.runMigrations({ transaction: 'each' })
    console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'database is up to date')
  }
  await ds.destroy()
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `migration failed: ${(e as Error).message}`)
  process.exit(1)
}
