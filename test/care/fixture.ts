import { readFileSync } from 'node:fs'
import type { DataSource } from 'typeorm'
import type { Clock } from '../../src/clock.js'
import { importCommunity, parseCommunityFile } from '../../src/community/import.js'
import { TEST_KEY } from '../helpers/db.js'

/** The sample community plus a care roster: two in 第一网格 (one 一级, one 三级), one in 第二网格. */
export const ROSTER_YAML = `
care:
  intervals: { 三级: P28D }
care_roster:
  - name: 张奶奶
    types: [独居, 高龄]
    building: 3
    unit: 1
    room: 302
    grade: 一级
    contact: { name: 张明, phone: "13900000101", relation: 儿子 }
    wechat: 张奶奶
  - { name: 李爷爷, types: [空巢], building: 2, room: 101, grade: 三级 }
  - { name: 陈阿婆, types: [失能, 低保], building: 5, unit: 2, room: 601, grid: 第二网格, grade: 二级, contact: { name: 陈强, phone: "13900000102" } }
`

export const careYaml = (extra = ROSTER_YAML) => readFileSync('examples/community.yaml', 'utf8') + extra

export async function seedCareCommunity(db: DataSource, clock: Clock, yaml = careYaml()): Promise<number> {
  return (await importCommunity(db, parseCommunityFile(yaml), { encryptionKey: TEST_KEY, clock })).communityId
}
