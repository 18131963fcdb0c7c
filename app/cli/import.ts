import { CommunityFileError, importCommunityFile } from '../../src/community/import.js'
import { ConfigError, loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/dataSource.js'

/** npm run import -- path/to/community.yaml: creates or updates the community (idempotent). */
const file = process.argv[2]
if (!file) {
  console.error('usage: npm run import -- path/to/community.yaml')
  process.exit(2)
}
try {
  const config = await loadConfig()
  const db = await openDatabase(config.DATABASE_URL)
  const s = await importCommunityFile(db, file, { encryptionKey: config.DATA_ENCRYPTION_KEY })
  console.log(`imported ${file}: ${s.created} created, ${s.updated} updated, ${s.deactivated} deactivated`)
  await db.destroy()
} catch (e) {
  if (e instanceof CommunityFileError || e instanceof ConfigError) { console.error(e.message); process.exit(1) }
  console.error(`import failed: ${(e as Error).message}`)
  process.exit(1)
}
