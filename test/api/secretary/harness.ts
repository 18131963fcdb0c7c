import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../../src/clock.js'
import { parseConfig } from '../../../src/config.js'
import { Resident, Staff } from '../../../src/db/entities/index.js'
import type { Classifier } from '../../../src/intake/classifier/types.js'
import { silentLogger } from '../../../src/logger.js'
import { hashPhone } from '../../../src/people/phone.js'
import { createApi, type ApiServer } from '../../../miniprogram-api/server.js'
import { openTestDb, seedSampleCommunity, TEST_KEY, type DbKind } from '../../helpers/db.js'
import { T0 } from '../../helpers/fixtures.js'
import { stubClassifier } from '../../helpers/intake.js'

export const OPEN311_KEY = 'open311-test-key-0123456789'

export interface Harness {
  db: DataSource
  clock: VirtualClock
  communityId: number
  api: ApiServer
  base: string
  /** fetch relative to the server, with an optional bearer token */
  call(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>
  /** A signed access token for a staff member (by WeChat name), through a resident bound to their phone, as after login + phone binding. */
  staffToken(wechat: string): Promise<string>
  residentToken(residentId: number): Promise<string>
  close(): Promise<void>
}

/** The real API (createApi) on a fresh database seeded with the sample community, listening on loopback. */
export async function startHarness(kind: DbKind, o: { env?: Record<string, string>; classifier?: Classifier } = {}): Promise<Harness> {
  const { db, close } = await openTestDb(kind)
  const communityId = await seedSampleCommunity(db)
  const clock = new VirtualClock(T0)
  const config = parseConfig({
    NODE_ENV: 'test', DATA_ENCRYPTION_KEY: TEST_KEY, OPEN311_API_KEY: OPEN311_KEY, UPLOAD_DIR: '/tmp/jiesu-test-uploads',
    // Suites make many writes at one virtual instant; the limit itself is tested with small values.
    RATE_LIMIT_WRITES_PER_USER: '1000', RATE_LIMIT_WRITES_PER_IP: '1000', ...o.env,
  })
  const classifier = o.classifier ?? stubClassifier([{ match: /./, result: { category: 'repair', urgency: 'normal', confidence: 0.9 } }])
  const api = createApi({ config, db, clock, logger: silentLogger }, { classifier })
  const server: Server = await new Promise((resolve) => { const s = api.listen(0, '127.0.0.1', () => resolve(s)) })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const call: Harness['call'] = (path, init = {}) => {
    const headers = new Headers(init.headers)
    if (init.token) headers.set('authorization', `Bearer ${init.token}`)
    let body = init.body
    if (init.json !== undefined) { headers.set('content-type', 'application/json'); body = JSON.stringify(init.json) }
    return fetch(base + path, { ...init, headers, body })
  }
  const residentToken = async (residentId: number) => (await api.deps.tokens.issue({ residentId, staffId: null })).token
  const staffToken = async (wechat: string) => {
    const staff = await db.getRepository(Staff).findOneByOrFail({ wechat })
    if (!staff.phoneHash) throw new Error(`${wechat} has no phone in the community file`)
    const repo = db.getRepository(Resident)
    const resident = await repo.save(repo.create({
      communityId: staff.communityId, openid: `openid-${wechat}-${Math.random().toString(36).slice(2)}`, name: staff.name, phoneHash: staff.phoneHash, phoneMasked: staff.phoneMasked, vulnerability: [],
    }))
    return (await api.deps.tokens.issue({ residentId: resident.id, staffId: staff.id })).token
  }
  return {
    db, clock, communityId, api, base, call, staffToken, residentToken,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await close()
    },
  }
}

/** A second community in the same database, with its own 书记 (phone 13900000009), for scoping tests. */
export const OTHER_COMMUNITY_YAML = `
community: 和平里社区
secretary: { name: 钱书记, wechat: 钱书记, phone: "13900000009" }
grids:
  - name: 和平一网格
    leader: { name: 孙强, wechat: 孙强, phone: "13700000001" }
    buildings: ["1", "2"]
`

export { hashPhone, TEST_KEY }
