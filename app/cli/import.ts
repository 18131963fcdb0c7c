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
  const kinds = [
    { who: 'staff member', live: () => unboundWithLiveCodes(db.manager, systemClock, STAFF, scope), issue: () => inTransaction(db, (em) => issueCodesForUnbound(em, systemClock, scope)) },
    { who: 'volunteer', live: () => unboundWithLiveCodes(db.manager, systemClock, VOLUNTEER, scope), issue: () => inTransaction(db, (em) => issueVolunteerCodesForUnbound(em, systemClock, scope)) },
  ]
  for (const k of kinds) {
    // counted before issuing: whoever holds a live code gets no new one, unless --new-codes replaces them all
    const kept = reissue ? 0 : await k.live()
    printBindCodes(await k.issue(), timezone, k.who)
    printLiveCodesKept(kept, k.who)
  }
  await db.destroy()
} catch (e) {
  if (e instanceof CommunityFileError || e instanceof ConfigError) { console.error(e.message); process.exit(1) }
  console.error(`import failed: ${(e as Error).message}`)
  process.exit(1)
}
