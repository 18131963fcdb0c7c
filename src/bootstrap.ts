import { existsSync } from 'node:fs'
import type { DataSource } from 'typeorm'
import { importCommunityFile } from './community/import.js'
import type { Config } from './config.js'
import { Community } from './db/entities/index.js'
import { inTransaction } from './db/transaction.js'
import { systemClock } from './clock.js'
import { issueCodesForUnbound } from './people/staffIdentity.js'
import { issueVolunteerCodesForUnbound } from './volunteers/identity.js'
import type { Logger } from './logger.js'

/** On the first start (no community yet) the configured community file is imported. */
export async function importCommunityOnFirstStart(db: DataSource, config: Config, logger: Logger): Promise<void> {
  if ((await db.getRepository(Community).count()) > 0) return
  if (!existsSync(config.COMMUNITY_FILE)) {
    logger.warn({ file: config.COMMUNITY_FILE }, 'no community in the database and COMMUNITY_FILE does not exist; run npm run import -- <file>')
    return
  }
  const summary = await importCommunityFile(db, config.COMMUNITY_FILE, { encryptionKey: config.DATA_ENCRYPTION_KEY })
  logger.info({ file: config.COMMUNITY_FILE, ...summary }, 'imported community on first start')
  // Staff bind their WeChat with these (认证 123456 to the bot); the 书记 can issue new ones on the console's 社区 page.
  const codes = await inTransaction(db, (em) => issueCodesForUnbound(em, systemClock, { communityId: summary.communityId }))
  for (const c of codes) logger.warn({ staff: c.name, wechat: c.wechat, code: c.code, expiresAt: c.expiresAt.toISOString() }, 'one-time staff 认证 code (send 认证 <code> to the bot in private chat)')
  const volunteerCodes = await inTransaction(db, (em) => issueVolunteerCodesForUnbound(em, systemClock, { communityId: summary.communityId }))
  for (const c of volunteerCodes) logger.warn({ volunteer: c.name, wechat: c.wechat, code: c.code, expiresAt: c.expiresAt.toISOString() }, 'one-time volunteer 认证 code (send 认证 <code> to the bot in private chat)')
}
