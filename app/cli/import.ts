import { CommunityFileError, importCommunityFile } from '../../src/community/import.js'
import { ConfigError, loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/dataSource.js'
import { inTransaction } from '../../src/db/transaction.js'
import { systemClock } from '../../src/clock.js'
import { issueCodesForUnbound } from '../../src/people/staffIdentity.js'
import { printBindCodes } from './bindCodes.js'
import { issueVolunteerCodesForUnbound } from '../../src/volunteers/identity.js'

/**
 * npm run import -- path/to/community.yaml [--new-codes]: creates or updates the community (idempotent),
 * then prints a one-time 认证 code for each active staff member whose WeChat is not bound yet and who holds
 * no live code, and the same for volunteers (--new-codes: a fresh code for every unbound one; earlier codes stop working).
 */
const args = process.argv.slice(2)
const file = args.find((a) => !a.startsWith('--'))
const reissue = args.includes('--new-codes')
if (!file) {
  console.error('usage: npm run import -- path/to/community.yaml [--new-codes]')
  process.exit(2)
}
try {
  const config = await loadConfig()
  const db = await openDatabase(config.DATABASE_URL)
  const s = await importCommunityFile(db, file, { encryptionKey: config.DATA_ENCRYPTION_KEY })
  console.log(`imported ${file}: ${s.created} created, ${s.updated} updated, ${s.deactivated} deactivated`)
  const codes = await inTransaction(db, (em) => issueCodesForUnbound(em, systemClock, { communityId: s.communityId, reissue }))
  printBindCodes(codes)
  printBindCodes(await inTransaction(db, (em) => issueVolunteerCodesForUnbound(em, systemClock, { communityId: s.communityId, reissue })), 'volunteer')
  await db.destroy()
} catch (e) {
  if (e instanceof CommunityFileError || e instanceof ConfigError) { console.error(e.message); process.exit(1) }
  console.error(`import failed: ${(e as Error).message}`)
  process.exit(1)
}
