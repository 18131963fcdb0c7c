import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../../src/clock.js'
import { importCommunity, parseCommunityFile } from '../../../src/community/import.js'
import {
  createBuilding, createGrid, createRoom, createStaff, deactivateGrid, deactivateStaff, deleteRoom, updateGrid, updateRoom, updateStaff,
} from '../../../src/community/manage.js'
import { loadCommunity } from '../../../src/community/snapshot.js'
import { route } from '../../../src/community/routing.js'
import { Building, ChatRoom, Grid, ServiceRequest } from '../../../src/db/entities/index.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { ConflictError, DomainError, ValidationError } from '../../../src/errors.js'
import { hashPhone } from '../../../src/people/phone.js'
import { describeEachDb, openTestDb, seedSampleCommunity, TEST_KEY } from '../../helpers/db.js'
import { fileRequest, staffNamed, T0 } from '../../helpers/fixtures.js'
import { readFile } from 'node:fs/promises'

const key = { encryptionKey: TEST_KEY }

describeEachDb('community management commands', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(T0)
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
  })
  afterAll(() => close())
  const tx = <T>(fn: Parameters<typeof inTransaction<T>>[1]) => inTransaction(db, fn)
  const code = async (p: Promise<unknown>) => {
    try { await p } catch (e) { return (e as DomainError).code }
    return 'ok'
  }

  it('creates a staff member with a masked and hashed phone, and a grid that owns new buildings', async () => {
    const li = await tx((em) => createStaff(em, { communityId, name: '李娜', wechat: '李娜', role: 'grid_leader', phone: '138-0000-0099' }, key))
    expect(li.phoneMasked).toBe('138****0099')
    expect(li.phoneHash).toBe(hashPhone('13800000099', TEST_KEY))
    const g = await tx((em) => createGrid(em, { communityId, name: '第四网格', leaderStaffId: li.id, buildings: ['13', 'c', 14] }))
    const codes = (await db.getRepository(Building).findBy({ communityId, gridId: g.id })).map((b) => b.code).sort()
    expect(codes).toEqual(['13', '14', 'C'])
    // Routing sees it at once.
    const snap = await db.transaction((em) => loadCommunity(em, communityId))
    expect(route(snap, { building: 'c', chatRoomId: null, category: 'repair', urgency: 'normal' }).ownerStaffId).toBe(li.id)
  })

  it('moves listed buildings into a grid and releases the ones it no longer lists', async () => {
    const g = await db.getRepository(Grid).findOneByOrFail({ communityId, name: '第四网格' })
    const first = await db.getRepository(Grid).findOneByOrFail({ communityId, name: '第一网格' })
    await tx((em) => updateGrid(em, { communityId, gridId: g.id, buildings: ['13', '3'] }))
    const byCode = new Map((await db.getRepository(Building).findBy({ communityId })).map((b) => [b.code, b.gridId]))
    expect(byCode.get('3')).toBe(g.id)
    expect(byCode.get('14')).toBeNull()
    expect(byCode.get('1')).toBe(first.id)
    await tx((em) => updateGrid(em, { communityId, gridId: first.id, buildings: ['1', '2', '3'] }))
  })

  it('keeps the file\'s invariants: unique names, leaders of a leading role, one 书记', async () => {
    const wang = await staffNamed(db, '王芳')
    const chen = await staffNamed(db, '陈明')
    const zhao = await staffNamed(db, '赵书记')
    expect(await code(tx((em) => createGrid(em, { communityId, name: '第一网格', leaderStaffId: wang.id })))).toBe('grid_name_taken')
    await expect(tx((em) => createGrid(em, { communityId, name: '第五网格', leaderStaffId: chen.id }))).rejects.toBeInstanceOf(ValidationError)
    expect(await code(tx((em) => createStaff(em, { communityId, name: '王芳二', wechat: '王芳', role: 'mediator' }, key)))).toBe('staff_wechat_taken')
    expect(await code(tx((em) => createStaff(em, { communityId, name: '钱书记', wechat: '钱书记', role: 'secretary' }, key)))).toBe('secretary_exists')
    expect(await code(tx((em) => updateStaff(em, { communityId, staffId: zhao.id, role: 'grid_leader' }, key)))).toBe('last_secretary')
    expect(await code(tx((em) => deactivateStaff(em, { communityId, staffId: zhao.id }, key)))).toBe('last_secretary')
    expect(await code(tx((em) => deactivateStaff(em, { communityId, staffId: wang.id }, key)))).toBe('staff_leads_grid')
    expect(await code(tx((em) => updateStaff(em, { communityId, staffId: wang.id, role: 'mediator' }, key)))).toBe('staff_leads_grid')
    expect(await code(tx((em) => createBuilding(em, { communityId, code: ' 3 ' })))).toBe('building_exists')
    expect(await code(tx((em) => createRoom(em, { communityId, topic: '幸福里3号楼业主群' })))).toBe('room_topic_taken')
    // Nothing changed by the refusals.
    expect((await staffNamed(db, '王芳')).active).toBe(true)
    expect((await staffNamed(db, '赵书记')).role).toBe('secretary')
  })

  it('deactivating a person reports their open tasks; a grid keeps its history but releases buildings and rooms', async () => {
    const zhou = await staffNamed(db, '周敏')
    const r = await fileRequest(db, clock, communityId, { building: '8' })
    const zhang = await staffNamed(db, '张伟')
    const third = await db.getRepository(Grid).findOneByOrFail({ communityId, name: '第三网格' })
    expect(r.assigneeStaffId).toBe(zhang.id)
    const res = await tx((em) => deactivateStaff(em, { communityId, staffId: zhou.id }, key))
    expect(res.staff.active).toBe(false)
    expect(res.openTasks).toBe(0)
    const room = await tx((em) => createRoom(em, { communityId, topic: '幸福里8号楼群', gridId: third.id }))
    const released = await tx((em) => deactivateGrid(em, { communityId, gridId: third.id }))
    expect(released.releasedBuildings).toBe(7)
    expect(released.releasedRooms).toBe(1)
    expect((await db.getRepository(ChatRoom).findOneByOrFail({ id: room.id })).gridId).toBeNull()
    expect(await db.getRepository(Grid).findOneBy({ id: third.id })).not.toBeNull()
  })

  it('a room that requests came from cannot be deleted, an unused one can; renames keep the binding', async () => {
    const used = await db.getRepository(ChatRoom).findOneByOrFail({ communityId, topic: '幸福里3号楼业主群' })
    const r = await fileRequest(db, clock, communityId)
    await db.getRepository(ServiceRequest).update({ id: r.id }, { chatRoomId: used.id })
    await expect(tx((em) => deleteRoom(em, { communityId, roomId: used.id }))).rejects.toBeInstanceOf(ConflictError)
    const renamed = await tx((em) => updateRoom(em, { communityId, roomId: used.id, topic: '幸福里3号楼业主群（新）' }))
    expect(renamed.gridId).toBe(used.gridId)
    const spare = await tx((em) => createRoom(em, { communityId, topic: '临时群' }))
    await tx((em) => deleteRoom(em, { communityId, roomId: spare.id }))
    expect(await db.getRepository(ChatRoom).findOneBy({ id: spare.id })).toBeNull()
  })

  it('a re-import of the file restores what it says, and twice changes nothing', async () => {
    const doc = parseCommunityFile(await readFile('examples/community.yaml', 'utf8'))
    await importCommunity(db, doc, key)
    const again = await importCommunity(db, doc, key)
    expect(again).toMatchObject({ created: 0, updated: 0, deactivated: 0 })
    const third = await db.getRepository(Grid).findOneByOrFail({ communityId, name: '第三网格' })
    expect((await db.getRepository(Building).findOneByOrFail({ communityId, code: '8' })).gridId).toBe(third.id)
    expect((await staffNamed(db, '周敏')).active).toBe(true)
    // 李娜 is not in the file: the import deactivates her, as it would anyone removed from it.
    expect((await staffNamed(db, '李娜')).active).toBe(false)
  })
})
