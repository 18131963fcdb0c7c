import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { InboxMessage } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { updateRow } from '../../src/db/updateRow.js'
import { describeEachDb, openTestDb } from '../helpers/db.js'

describeEachDb('updateRow: one row updated in hand-written SQL, read back as em.update would have left it', (kind) => {
  let db: DataSource
  let close: () => Promise<void>
  beforeAll(async () => { ({ db, close } = await openTestDb(kind)) })
  afterAll(() => close())

  const row = (messageId: string) => db.getRepository(InboxMessage).save({
    channel: 'wechat', messageId, kind: 'text', roomTopic: '1号楼业主群', roomId: null, senderName: '李阿姨', senderId: 'wxid-li', text: '楼道灯坏了',
    payload: null, status: 'pending', attempts: 1, error: null, requestId: null, receivedAt: new Date('2026-11-20T01:00:00.000Z'), processedAt: null, claimedAt: null,
  } as Partial<InboxMessage>)

  it('writes dates, JSON and nulls through the driver, in the caller\'s transaction, touching only that row', async () => {
    const [a, b] = [await row('u-1'), await row('u-2')]
    const at = new Date('2026-11-20T02:03:04.567Z')
    const changed = await inTransaction(db, (em) => updateRow(em, InboxMessage, a.id, { status: 'processed', processedAt: at, error: null, payload: { outcome: 'chatter', 楼: '3号楼' } as never, claimedAt: undefined }))
    expect(changed).toBe(1)
    expect(await db.getRepository(InboxMessage).findOneByOrFail({ id: a.id })).toMatchObject({ status: 'processed', processedAt: at, error: null, payload: { outcome: 'chatter', 楼: '3号楼' }, text: '楼道灯坏了' })
    expect(await db.getRepository(InboxMessage).findOneByOrFail({ id: b.id })).toMatchObject({ status: 'pending', processedAt: null, payload: null })
  })

  it('rolls back with its transaction, and refuses a property the entity does not have', async () => {
    const c = await row('u-3')
    await expect(inTransaction(db, async (em) => { await updateRow(em, InboxMessage, c.id, { status: 'failed' }); throw new Error('boom') })).rejects.toThrow('boom')
    expect((await db.getRepository(InboxMessage).findOneByOrFail({ id: c.id })).status).toBe('pending')
    await expect(updateRow(db.manager, InboxMessage, c.id, { nope: 1 } as never)).rejects.toThrow(/no column for property "nope"/)
  })
})
