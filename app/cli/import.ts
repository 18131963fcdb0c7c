import { CommunityFileError, importCommunityFile } from '../../src/community/import.js'
import { ConfigError, loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/dataSource.js'
import { inTransaction } from '../../src/db/transaction.js'
import { systemClock } from '../../src/clock.js'
import { Community } from '../../src/db/entities/index.js'
import { unboundWithLiveCodes } from '../../src/people/bindings.js'
import { issueCodesForUnbound, STAFF } from '../../src/people/staffIdentity.js'
import { printBindCodes, printLiveCodesKept } from './bindCodes.js'
import { issueVolunteerCodesForUnbound, VOLUNTEER } from '../../src/volunteers/identity.js'

/**
 * npm run import -- path/to/community.yaml [--new-codes]: creates or updates the community (idempotent),
 * then prints a one-time 认证 code for each active staff member whose WeChat is not bound yet and who holds
 * no live code, and the same for volunteers (--new-codes: a fresh code for every unbound one; earlier codes stop working).
 * Those still holding a live code from an earlier run are counted, not shown (codes are kept hashed).
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
  const { timezone } = await db.getRepository(Community).findOneByOrFail({ id: s.communityId })
  const scope = { communityId: s.communityId, reissue }
  const staffCodes = await inTransaction(db, (em) => issueCodesForUnbound(em, systemClock, scope))
  printBindCodes(staffCodes, timezone)
  printLiveCodesKept(await unboundWithLiveCodes(db.manager, systemClock, STAFF, scope) - staffCodes.length)
  const volunteerCodes = await inTransaction(db, (em) => issueVolunteerCodesForUnbound(em, systemClock, scope))
  printBindCodes(volunteerCodes, timezone, 'volunteer')
  printLiveCodesKept(await unboundWithLiveCodes(db.manager, systemClock, VOLUNTEER, scope) - volunteerCodes.length, 'volunteer')
  await db.destroy()
} catch (e) {
  if (e instanceof CommunityFileError || e instanceof ConfigError) { console.error(e.message); process.exit(1) }
  console.error(`import failed: ${(e as Error).message}`)
  process.exit(1)
}
