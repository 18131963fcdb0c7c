import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { InboxProcessor } from '../../bot/processor.js'
import { parseTopicCommand } from '../../bot/topicMatchers.js'
import { VirtualClock } from '../../src/clock.js'
import { parseConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/dataSource.js'
import { GovernanceTopic, OutboxMessage, ProblemCluster, ServiceRequest, TopicRequest } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { runIntake } from '../../src/intake/run.js'
import { runWeeklyDigest } from '../../src/jobs/digest.js'
import { jobNamed } from '../../src/jobs/registry.js'
import { silentLogger } from '../../src/logger.js'
import { detectRecurringProblems, openClusters } from '../../src/proactive/clusters.js'
import { closeTopic, createTopicFromCluster, topicProgress } from '../../src/proactive/topics.js'
import { withTitle } from '../../src/requests/messages.js'
import type { FileStorage } from '../../src/storage/index.js'
import { describeEachDb, openTestDb, seedSampleCommunity, TEST_KEY } from '../helpers/db.js'
import { fileRequest, resident, staffNamed } from '../helpers/fixtures.js'
import { intakeDeps } from '../helpers/intake.js'
import { bindWechat } from '../helpers/staff.js'
import { jobContext } from '../jobs/helpers.js'

const local = (s: string) => new Date(`${s}+08:00`)
const noFiles: FileStorage = { put: async () => undefined, get: async () => null, delete: async () => undefined }

it('reads 立项 and 结项', () => {
  expect(parseTopicCommand('立项 3 王芳 12月31日')).toEqual({ kind: 'create', clusterId: 3, owner: '王芳', due: { year: null, month: 12, day: 31 } })
  expect(parseTopicCommand('立项 #3 王芳 2027-01-15')).toEqual({ kind: 'create', clusterId: 3, owner: '王芳', due: { year: 2027, month: 1, day: 15 } })
  expect(parseTopicCommand('立项 3')).toMatchObject({ kind: 'malformed' })
  expect(parseTopicCommand('立项 3 王芳 明天')).toMatchObject({ kind: 'malformed' })
  expect(parseTopicCommand('结项 2 电梯已整体更换')).toEqual({ kind: 'close', topicId: 2, note: '电梯已整体更换' })
  expect(parseTopicCommand('立项的事明天说')).toMatchObject({ kind: 'malformed' })
  expect(parseTopicCommand('电梯坏了')).toBeNull()
})

it('a role follows a name once: 赵 → 赵书记, 赵书记 stays 赵书记', () => {
  expect(withTitle('赵', '书记')).toBe('赵书记')
  expect(withTitle('赵书记', '书记')).toBe('赵书记')
})

describeEachDb('recurring problems and 治理项目', (kind) => {
  let db: DataSource, url: string, close: () => Promise<void>, communityId: number
  const clock = new VirtualClock(local('2026-11-02T09:00:00'))
  const job = jobNamed('recurring_problems')!
  beforeAll(async () => {
    ;({ db, url, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
  })
  afterAll(() => close())

  it('finds ≥3 similar requests about one building and category in 30 days, and a request reopened twice, once', async () => {
    const lift = []
    for (const [day, text] of [['02', '5号楼电梯又坏了'], ['10', '5号楼电梯停了，上不去'], ['20', '5号楼电梯坏了没人修']] as const) {
      clock.set(local(`2026-11-${day}T09:00:00`))
      lift.push(await fileRequest(db, clock, communityId, { text, building: '5' }))
    }
    await fileRequest(db, clock, communityId, { text: '5号楼楼道灯坏了', building: '5' }) // same place, another problem
    await fileRequest(db, clock, communityId, { text: '4号楼电梯坏了', building: '4' }) // once only
    const leak = await fileRequest(db, clock, communityId, { text: '8号楼屋顶漏水', building: '8' })
    await db.getRepository(ServiceRequest).update({ id: leak.id }, { reopenCount: 2 })
    clock.set(local('2026-11-30T07:00:00'))
    const other = kind === 'mysql' ? await openDatabase(url, { migrate: false }) : db
    try {
      const runs = await Promise.all([job.run(jobContext(db, clock), clock.now()), job.run(jobContext(other, clock), clock.now())])
      expect(runs.filter((r) => r.skipped)).toHaveLength(1)
      expect(runs.find((r) => !r.skipped)!.details).toEqual({ created: 2, extended: 0 })
    } finally {
      if (other !== db) await other.destroy()
    }
    expect((await job.run(jobContext(db, clock), clock.now())).skipped).toBe(true)
    expect(await inTransaction(db, (em) => detectRecurringProblems(em, clock, communityId))).toEqual({ created: 0, extended: 0 })
    const open = await openClusters(db.manager, communityId)
    expect(open.map((c) => [c.cluster.reason, c.cluster.building, c.requests.map((r) => r.no)])).toEqual([
      ['repeated', '5', lift.map((r) => r.no)],
      ['reopened', '8', [leak.no]],
    ])
    expect(open[0]!.cluster.suggestion).toContain('电梯维保单位')
    expect(open[1]!.cluster.suggestion).toMatch(/^同一工单已重办 2 次/)
  })

  it('shows clusters in the digest; only the 书记 makes a topic, which collects new matching reports', async () => {
    await runWeeklyDigest({ db, clock, summarize: null }, local('2026-11-30T08:00:00'))
    const digest = (await db.getRepository(OutboxMessage).find()).find((o) => o.dedupeKey.startsWith('digest:'))!
    expect(digest.text).toContain('【反复出现的问题】2 个：')
    expect(digest.text).toMatch(/#\d+ 5号楼维修报修（30天内 3 次，工单 1、2、3）建议：约电梯维保单位/)

    const cluster = (await openClusters(db.manager, communityId))[0]!.cluster
    const [secretary, wang] = [await staffNamed(db, '赵书记'), await staffNamed(db, '王芳')]
    const due = local('2026-12-31T18:00:00')
    await expect(inTransaction(db, (em) => createTopicFromCluster(em, clock, { clusterId: cluster.id, actor: wang, owner: '刘强', dueAt: due }))).rejects.toThrow('只有书记可以立项')
    const topic = await inTransaction(db, (em) => createTopicFromCluster(em, clock, { clusterId: cluster.id, actor: secretary, owner: '刘强', dueAt: due }))
    expect(topic).toMatchObject({ title: '5号楼维修报修反复出现', status: 'open', building: '5' })
    await expect(inTransaction(db, (em) => createTopicFromCluster(em, clock, { clusterId: cluster.id, actor: secretary, owner: '刘强', dueAt: due }))).rejects.toThrow(/已经立项/)
    expect((await db.getRepository(ProblemCluster).findOneByOrFail({ id: cluster.id })).status).toBe('topic')
    const told = (await db.getRepository(OutboxMessage).find()).find((o) => o.dedupeKey.startsWith(`topic:${topic.id}:`))!
    expect(told).toMatchObject({ target: '刘强' })
    expect(told.text).toContain('【治理项目】赵书记请您牵头：5号楼维修报修反复出现') // not 赵书记书记
    await expect(inTransaction(db, (em) => createTopicFromCluster(em, clock, { clusterId: 99999, actor: secretary, owner: '刘强', dueAt: due }))).rejects.toThrow('没有找到问题 #99999，请核对编号。')

    clock.set(local('2026-12-02T10:00:00'))
    const who = await resident(db, communityId, '周阿姨')
    const deps = intakeDeps(db, clock, new OfflineClassifier())
    const again = await runIntake(deps, { communityId, source: 'private', text: '5号楼电梯又停了', residentId: who.id, causeKey: 't:lift', acknowledge: 'none' })
    const elsewhere = await runIntake(deps, { communityId, source: 'private', text: '6号楼电梯坏了', residentId: who.id, causeKey: 't:lift6', acknowledge: 'none' })
    expect(again.kind).toBe('created')
    const links = await db.getRepository(TopicRequest).find({ where: { topicId: topic.id }, order: { id: 'ASC' } })
    expect(links.map((l) => l.via)).toEqual(['cluster', 'cluster', 'cluster', 'auto'])
    expect(links[3]!.requestId).toBe(again.kind === 'created' ? again.request.id : -1)
    expect(links.map((l) => l.requestId)).not.toContain(elsewhere.kind === 'created' ? elsewhere.request.id : -1)

    const progress = await topicProgress(db.manager, { communityId, from: local('2026-11-30T00:00:00'), to: local('2026-12-07T00:00:00'), now: clock.now() })
    expect(progress).toMatchObject([{ owner: '刘强', requests: 4, resolved: 0, newInPeriod: 1, overdue: false }])
    await runWeeklyDigest({ db, clock, summarize: null }, local('2026-12-07T08:00:00'))
    const second = (await db.getRepository(OutboxMessage).find({ order: { id: 'ASC' } })).filter((o) => o.dedupeKey.startsWith('digest:'))[1]!
    expect(second.text).toMatch(/#\d+ 5号楼维修报修反复出现｜刘强｜相关工单 4 件，已办结 0 件，本周新增 1 件｜期限 12月31日 18:00/)

    const closed = await inTransaction(db, (em) => closeTopic(em, clock, { topicId: topic.id, actor: secretary, note: '更换曳引机' }))
    expect(closed.status).toBe('closed')
    await expect(inTransaction(db, (em) => closeTopic(em, clock, { topicId: topic.id, actor: secretary }))).rejects.toThrow(/已经结项/)
    const later = await topicProgress(db.manager, { communityId, from: local('2026-12-14T00:00:00'), to: local('2026-12-21T00:00:00'), now: clock.now() })
    expect(later).toEqual([]) // closed before that week: gone from the digest
  })

  it('立项 through the bot: the 书记 only', async () => {
    const processor = new InboxProcessor({
      ctx: { config: parseConfig({ DATA_ENCRYPTION_KEY: TEST_KEY }), db, clock, logger: silentLogger }, classifier: new OfflineClassifier(), storage: noFiles,
    })
    for (const name of ['王芳', '赵书记']) await bindWechat(db, clock, name, `wxid-${name}`)
    const cluster = (await openClusters(db.manager, communityId))[0]!.cluster // the reopened leak
    const say = async (sender: string, text: string) => {
      const h = await processor.receive({ messageId: `${kind}-${sender}-${text}`, kind: 'text', roomTopic: null, roomId: null, senderName: sender, senderId: `wxid-${sender}`, text, payload: null })
      return { h, reply: (await db.getRepository(OutboxMessage).findOneByOrFail({ dedupeKey: `inbox:${h.inboxId}:reply` })).text }
    }
    expect((await say('王芳', `立项 ${cluster.id} 张伟 12月20日`)).reply).toBe('只有书记可以立项')
    const ok = await say('赵书记', `立项 ${cluster.id} 张伟 12月20日`)
    expect(ok.h.outcome).toBe('command')
    expect(ok.reply).toMatch(/^已立项：治理项目 #\d+ 8号楼维修报修反复出现，负责人 张伟，期限 12月20日 23:59。/)
    expect(await db.getRepository(GovernanceTopic).count({ where: { status: 'open' } })).toBe(1)
  })
})
