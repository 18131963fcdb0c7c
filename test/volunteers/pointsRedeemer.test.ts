import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { PointsAccount, PointsEntry } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { appendEntry } from '../../src/volunteers/ledger.js'
import { redeemPoints } from '../../src/volunteers/pointsRedeemer.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'
import { staffNamed } from '../helpers/fixtures.js'
import { seedVolunteerCommunity, volunteerNamed } from './fixture.js'

describeEachDb('兑换: the 书记 records redemptions; a balance never goes negative', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock('2026-11-23T09:00:00+08:00')
  let n = 0
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedVolunteerCommunity(db, clock)
  })
  afterAll(() => close())
  const earn = async (name: string, amount: number) => {
    const v = await volunteerNamed(db, name)
    await inTransaction(db, (em) => appendEntry(em, clock, { communityId, holderType: 'volunteer', holderId: v.id, amount, action: 'volunteering', dedupeKey: `test-earn:${++n}` }))
  }
  const redeem = async (name: string, points: number, causeKey = `test-redeem:${++n}`, actor = '赵书记') => {
    const [v, s] = [await volunteerNamed(db, name), await staffNamed(db, actor)]
    return inTransaction(db, (em) => redeemPoints(em, clock, { communityId, actor: s, volunteerId: v.id, points, note: '洗衣液一瓶', causeKey }))
  }
  const ledgerSum = async (name: string) => {
    const account = await db.getRepository(PointsAccount).findOneByOrFail({ holderType: 'volunteer', holderId: (await volunteerNamed(db, name)).id })
    const rows = await db.getRepository(PointsEntry).findBy({ accountId: account.id })
    return { balance: account.balance, sum: rows.reduce((a, r) => a + r.amount, 0) }
  }

  it('takes what the balance covers, refuses more, and a replay redeems nothing twice', async () => {
    await earn('何军', 30)
    expect((await redeem('何军', 20, 'msg-1')).balance).toBe(10)
    expect(await redeem('何军', 20, 'msg-1')).toMatchObject({ replay: true, balance: 10 })
    await expect(redeem('何军', 11)).rejects.toMatchObject({ code: 'points_insufficient', message: '何军 只有 10 积分，不够兑换 11 分。' })
    expect(await ledgerSum('何军')).toEqual({ balance: 10, sum: 10 })
  })

  it('of redemptions racing for the same points, only those the balance covers go through', async () => {
    await earn('李晓', 50)
    const results = await Promise.allSettled([30, 30, 30].map((p) => redeem('李晓', p)))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.code === 'points_insufficient')).toBe(true)
    expect(await ledgerSum('李晓')).toEqual({ balance: 20, sum: 20 })
  })

  it('only the 书记 may, for a positive whole number and a stated item', async () => {
    await expect(redeem('何军', 5, undefined, '王芳')).rejects.toMatchObject({ code: 'not_secretary' })
    await expect(redeem('何军', 0)).rejects.toMatchObject({ code: 'validation_failed' })
    await expect(redeem('何军', 2.5)).rejects.toMatchObject({ code: 'validation_failed' })
  })
})
