import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import type { Category, Urgency } from '../../src/community/taxonomy.js'
import { Resident, Staff } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { createRequest } from '../../src/requests/create.js'

export const T0 = '2026-11-23T09:00:00+08:00'

export async function resident(db: DataSource, communityId: number, wechatName: string, extra: Partial<Resident> = {}) {
  const repo = db.getRepository(Resident)
  return repo.save(repo.create({ communityId, wechatName, name: wechatName, vulnerability: [], ...extra }))
}

export const staffNamed = (db: DataSource, wechat: string) => db.getRepository(Staff).findOneByOrFail({ wechat })

let n = 0
/** A dispatched request straight through the lifecycle (no classifier). */
export async function fileRequest(db: DataSource, clock: VirtualClock, communityId: number, o: {
  text?: string; category?: Category; urgency?: Urgency; building?: string | null; reporterId?: number | null; roomTopic?: string
} = {}) {
  return inTransaction(db, (em) => createRequest(em, clock, {
    communityId, source: 'group', text: o.text ?? '3号楼楼道灯坏了', category: o.category ?? 'repair', urgency: o.urgency ?? 'normal',
    building: o.building === undefined ? '3' : o.building, reporterResidentId: o.reporterId ?? null, classifierMethod: 'offline', confidence: 0.9,
    needsTriage: false, causeKey: `test:${++n}`,
    acknowledgement: o.roomTopic ? { channel: 'wechat_room', roomTopic: o.roomTopic, mention: 'x' } : null,
  }))
}
