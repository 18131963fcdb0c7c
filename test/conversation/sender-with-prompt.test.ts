import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { openPrompt, senderWithPrompt } from '../../src/conversation/prompts.js'
import { ChatPrompt } from '../../src/db/entities/index.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest, resident } from '../helpers/fixtures.js'

describeEachDb('senderWithPrompt: the sender and the question they may be answering, in one statement', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number, requestId: number
  const clock = new VirtualClock('2026-11-23T10:00:00+08:00')
  const ask = (senderName: string, chatKey: string, kind: 'location' | 'photo' = 'location') =>
    openPrompt(db.manager, clock, { communityId, chatKey, senderName, kind, requestId })
  const read = (wechatName: string, chatKey = 'room:3号楼业主群') =>
    senderWithPrompt(db.manager, clock, { communityId, wechatName, chatKey, kinds: ['location'] })
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
    await resident(db, communityId, '王阿姨', { building: '3', phoneMasked: '138****0000' })
    await resident(db, communityId, '刘叔')
    requestId = (await fileRequest(db, clock, communityId)).id
  })
  afterAll(() => close())

  it('an unknown sender has no row and no question', async () => {
    expect(await read('陌生人')).toEqual({ resident: null, prompt: null })
  })

  it('a known sender comes back as the entity, with no question when none is open for them here', async () => {
    await ask('王阿姨', 'room:别的群')
    await ask('王阿姨', 'room:3号楼业主群', 'photo')
    const { resident: r, prompt } = await read('王阿姨')
    expect(r).toMatchObject({ wechatName: '王阿姨', building: '3', phoneMasked: '138****0000', communityId })
    expect(r!.createdAt).toBeInstanceOf(Date)
    expect(Array.isArray(r!.vulnerability)).toBe(true)
    expect(prompt).toBeNull()
  })

  it('the newest open, unexpired question of the asked kinds, as the entity', async () => {
    await ask('刘叔', 'room:3号楼业主群') // replaced by the next one (closed)
    const newest = await ask('刘叔', 'room:3号楼业主群')
    const { resident: r, prompt } = await read('刘叔')
    expect(r!.wechatName).toBe('刘叔')
    expect(prompt).toMatchObject({ id: newest.id, status: 'open', kind: 'location', senderName: '刘叔' })
    expect(prompt!.expiresAt.getTime()).toBe(newest.expiresAt.getTime())
  })

  it('an expired question is not awaited any more', async () => {
    clock.advance(11 * 60_000)
    expect((await read('刘叔')).prompt).toBeNull()
    expect(await db.getRepository(ChatPrompt).countBy({ senderName: '刘叔', status: 'open' })).toBe(1)
  })
})
