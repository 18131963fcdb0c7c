import type { DataSource } from 'typeorm'
import type { Clock } from '../../src/clock.js'
import { Staff } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { issueBindCode, redeemBindCode } from '../../src/people/staffIdentity.js'

/** Binds a staff member (by WeChat name) to a contact id the way 认证 does: a code issued, then redeemed. */
export async function bindWechat(db: DataSource, clock: Clock, wechat: string, contactId: string): Promise<{ staff: Staff; remark: string }> {
  return inTransaction(db, async (em) => {
    const s = await em.findOneOrFail(Staff, { where: { wechat, active: true } })
    const { code } = await issueBindCode(em, clock, { communityId: s.communityId, staffId: s.id })
    return redeemBindCode(em, clock, { code, contactId, recentFailures: 0 })
  })
}
