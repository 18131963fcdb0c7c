import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource, EntityManager } from 'typeorm'
import { Resident } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { findOrCreateWechatResident, findOrCreateWechatResidents } from '../../src/people/residents.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { resident } from '../helpers/fixtures.js'
import { countStatements } from '../helpers/statements.js'

describeEachDb('findOrCreateWechatResidents: a batch\'s senders found or made in two statements', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
  })
  afterAll(() => close())

  it('makes the new ones once each, reads the ones made meanwhile, and keeps the known', async () => {
    const known = await resident(db, communityId, '王阿姨')
    const meanwhile = await resident(db, communityId, '刘叔') // not read by the caller: someone else made them
    const counter = countStatements(db)
    counter.reset()
    const got = await findOrCreateWechatResidents(db.manager, communityId, [
      { wechatName: '王阿姨', contactId: null, known }, { wechatName: '新人一', contactId: 'wxid-1', known: null },
      { wechatName: '刘叔', contactId: null, known: null }, { wechatName: '新人二', contactId: null, known: null }, { wechatName: '新人一', contactId: 'wxid-other', known: null }, { wechatName: '新人三', contactId: null, known: null },
    ])
    expect(counter.seen.statements.length).toBe(2)
    const rows = await db.getRepository(Resident).find({ where: { communityId }, order: { id: 'ASC' } })
    const named = (n: string) => rows.filter((r) => r.wechatName === n)
    expect(['王阿姨', '刘叔', '新人一', '新人二', '新人三'].map((n) => named(n).length)).toEqual([1, 1, 1, 1, 1])
    expect([...got.keys()]).toEqual(['王阿姨', '新人一', '刘叔', '新人二', '新人三'])
    expect(got.get('王阿姨')!.id).toBe(known.id)
    expect(got.get('刘叔')!.id).toBe(meanwhile.id)
    expect(got.get('新人一')).toMatchObject({ id: named('新人一')[0]!.id, wechatContactId: 'wxid-1', name: '新人一' }) // the first sender's contact
    expect(named('新人一')[0]!.wechatContactId).toBe('wxid-1')
  })

  it('brings a known resident\'s contact id up to date', async () => {
    const r = await resident(db, communityId, '赵大爷')
    const got = await findOrCreateWechatResidents(db.manager, communityId, [{ wechatName: '赵大爷', contactId: 'wxid-zhao', known: r }])
    expect(got.get('赵大爷')!.wechatContactId).toBe('wxid-zhao')
    expect((await db.getRepository(Resident).findOneByOrFail({ id: r.id })).wechatContactId).toBe('wxid-zhao')
  })
})

describeEachDb('findOrCreateWechatResident(s) when someone else made the sender after this transaction began', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
  })
  afterAll(() => close())

  // MySQL: the transaction's reads see its snapshot, taken at its first read; the row made after it is seen only by
  // the insert's NOT EXISTS, so a plain re-read would never find it (this looped without end). SQLite has one writer.
  const raced = async (name: string, find: (em: EntityManager) => Promise<Resident>) => {
    if (kind === 'sqlite') {
      await resident(db, communityId, name)
      return inTransaction(db, find)
    }
    return inTransaction(db, async (em) => {
      await em.query('SELECT COUNT(*) AS n FROM residents') // the snapshot
      await resident(db, communityId, name) // another connection, committed at once
      return find(em)
    })
  }

  it('one sender: the row made elsewhere is found, not made twice', async () => {
    const got = await raced('抢先一步', (em) => findOrCreateWechatResident(em, { communityId, wechatName: '抢先一步', contactId: null }))
    expect((await db.getRepository(Resident).findBy({ communityId, wechatName: '抢先一步' })).map((r) => r.id)).toEqual([got.id])
  })

  it('a batch: the same', async () => {
    const got = await raced('抢先两步', (em) => findOrCreateWechatResidents(em, communityId, [{ wechatName: '抢先两步', contactId: null, known: null }, { wechatName: '后来者', contactId: null, known: null }]).then((m) => m.get('抢先两步')!))
    expect((await db.getRepository(Resident).findBy({ communityId, wechatName: '抢先两步' })).map((r) => r.id)).toEqual([got.id])
    expect(await db.getRepository(Resident).countBy({ communityId, wechatName: '后来者' })).toBe(1)
  })
})
