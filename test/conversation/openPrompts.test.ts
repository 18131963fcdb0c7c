import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { openPrompt, openPrompts, PROMPT_TTL_MS } from '../../src/conversation/prompts.js'
import { ChatPrompt } from '../../src/db/entities/index.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { fileRequest } from '../helpers/fixtures.js'
import { countStatements } from '../helpers/statements.js'

describeEachDb('openPrompts: many questions opened as one after another would be, in two statements', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number, requestId: number
  const clock = new VirtualClock('2026-11-23T10:00:00+08:00')
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
    requestId = (await fileRequest(db, clock, communityId)).id
  })
  afterAll(() => close())

  it('replaces the open question of the same kind in the same chat, and the earlier one of the list', async () => {
    const ask = (chatKey: string, senderName: string, kind: 'location' | 'photo') => ({ communityId, chatKey, senderName, kind, requestId })
    const before = await openPrompt(db.manager, clock, ask('room:3号楼业主群', '张三', 'location'))
    const elsewhere = await openPrompt(db.manager, clock, ask('room:5号楼业主群', '张三', 'location'))
    const counter = countStatements(db)
    counter.reset()
    const opened = await openPrompts(db.manager, clock, [
      ask('room:3号楼业主群', '张三', 'location'), ask('room:3号楼业主群', '李四', 'photo'), ask('room:3号楼业主群', '张三', 'location'), ask('room:3号楼业主群', '张三', 'photo'),
    ])
    expect(counter.seen.statements.length).toBe(2)
    const rows = await db.getRepository(ChatPrompt).find({ order: { id: 'ASC' } })
    const state = (id: number) => rows.find((r) => r.id === id)!.status
    expect(opened.map((p) => p.id)).toEqual(rows.slice(-4).map((r) => r.id))
    expect([state(before.id), state(elsewhere.id)]).toEqual(['closed', 'open'])
    expect(opened.map((p) => state(p.id))).toEqual(['closed', 'open', 'open', 'open'])
    expect(opened.map((p) => [p.senderName, p.kind, p.status])).toEqual([['张三', 'location', 'closed'], ['李四', 'photo', 'open'], ['张三', 'location', 'open'], ['张三', 'photo', 'open']])
    expect(rows.at(-1)!.expiresAt.getTime() - rows.at(-1)!.createdAt.getTime()).toBe(PROMPT_TTL_MS)
  })

  it('opens nothing for no questions, with no statement', async () => {
    const counter = countStatements(db)
    counter.reset()
    expect(await openPrompts(db.manager, clock, [])).toEqual([])
    expect(counter.seen.statements).toEqual([])
  })
})
