import { readFileSync } from 'node:fs'
import type { DataSource } from 'typeorm'
import type { VirtualClock } from '../../src/clock.js'
import { importCommunity, parseCommunityFile } from '../../src/community/import.js'
import type { Category, Urgency } from '../../src/community/taxonomy.js'
import { Volunteer } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { issueVolunteerBindCode, redeemVolunteerBindCode } from '../../src/volunteers/identity.js'
import { offerRequestToVolunteers } from '../../src/volunteers/taskOfferer.js'
import { TEST_KEY } from '../helpers/db.js'
import { fileRequest, resident, staffNamed } from '../helpers/fixtures.js'

/** The sample community plus volunteers: two in 第一网格 (buildings 1–3), one in 第二网格; points per task + hour. */
export const VOLUNTEERS_YAML = `
volunteers:
  - { name: 何军, wechat: 何军, phone: "13700000001", grids: [第一网格] }
  - { name: 李晓, wechat: 李晓, grids: [第一网格, 第二网格] }
  - { name: 钱芳, wechat: 钱芳, grids: [第二网格] }
points:
  earn: [volunteering, verified_report]
  volunteering: { per_task: 10, per_hour: 4 }
  verified_report: 3
`

export const volunteersYaml = (extra = VOLUNTEERS_YAML) => readFileSync('examples/community.yaml', 'utf8') + extra

export async function seedVolunteerCommunity(db: DataSource, clock: VirtualClock, yaml = volunteersYaml()): Promise<number> {
  return (await importCommunity(db, parseCommunityFile(yaml), { encryptionKey: TEST_KEY, clock })).communityId
}

/** Binds every volunteer to the contact id `contact:<wechat>`, the way 认证 does. */
export async function bindVolunteers(db: DataSource, clock: VirtualClock, communityId: number): Promise<Volunteer[]> {
  const all = await db.getRepository(Volunteer).find({ where: { communityId }, order: { id: 'ASC' } })
  for (const v of all) {
    await inTransaction(db, async (em) => {
      const { code } = await issueVolunteerBindCode(em, clock, { communityId, volunteerId: v.id })
      await redeemVolunteerBindCode(em, clock, { code, contactId: `contact:${v.wechat}`, recentFailures: 0 })
    })
  }
  return db.getRepository(Volunteer).find({ where: { communityId }, order: { id: 'ASC' } })
}

export const volunteerNamed = (db: DataSource, name: string) => db.getRepository(Volunteer).findOneByOrFail({ name })

let n = 0
/** A 3号楼 (第一网格) 助老 request from a resident, offered to the grid's volunteers by 王芳. */
export async function offeredTask(db: DataSource, clock: VirtualClock, communityId: number, o: { text?: string; category?: Category; urgency?: Urgency } = {}) {
  const who = await resident(db, communityId, `老人${++n}`, { building: '3' })
  const request = await fileRequest(db, clock, communityId, { text: o.text ?? '想请人帮忙代买降压药', category: o.category ?? 'elderly_help', urgency: o.urgency ?? 'normal', reporterId: who.id })
  const staff = await staffNamed(db, '王芳')
  const offered = await inTransaction(db, (em) => offerRequestToVolunteers(em, clock, { communityId, requestId: request.id, staff }))
  return { ...offered, request, resident: who }
}
