import { afterAll, beforeAll, expect, it } from 'vitest'
import { SubscribeMessageSender, fitValue, parseFieldMap } from '../../miniprogram-api/wechat/subscribeSender.js'
import { OutboxMessage } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { silentLogger } from '../../src/logger.js'
import { enqueue } from '../../src/outbox/outbox.js'
import { OutboxWorker } from '../../src/outbox/worker.js'
import { startTestApi, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'

it('fits values to the subscribe-message field types', () => {
  expect(fitValue('thing3', '楼道灯坏了，晚上完全看不见，老人上下楼很危险，请尽快处理')).toHaveLength(20)
  expect(fitValue('thing3', '楼道灯坏了，晚上完全看不见，老人上下楼很危险，请尽快处理').endsWith('…')).toBe(true)
  expect(fitValue('phrase2', '已签收')).toBe('已签收')
  expect(fitValue('phrase2', '重办中2')).toBe('重办中')
  expect(fitValue('character_string1', '12 号')).toBe('12')
  expect(fitValue('thing1', '   ')).toBe('-')
  expect(parseFieldMap('character_string1=no,phrase2=status,thing3=bogus')).toEqual([['character_string1', 'no'], ['phrase2', 'status']])
})

describeEachDb('mini-program subscribe messages through the outbox', (kind) => {
  let t: TestApi
  let li: SignedIn
  let worker: OutboxWorker
  beforeAll(async () => {
    t = await startTestApi(kind)
    li = await t.signIn('李阿姨')
    await t.call('PUT', '/api/me', { token: li.token, json: { subscribeAllowed: true } })
    const sender = new SubscribeMessageSender({ wechat: t.app.deps.wechat, db: t.db, config: t.config })
    worker = new OutboxWorker({ db: t.db, clock: t.clock, senders: { mp_subscribe: sender, wechat_dm: { send: async () => undefined } }, logger: silentLogger, throttle: { perChatIntervalMs: 0, perMinute: 1000 } })
  })
  afterAll(() => t.close())

  const mpRows = (requestId: number) => t.db.getRepository(OutboxMessage).find({ where: { requestId, channel: 'mp_subscribe' }, order: { id: 'ASC' } })

  it('a status update reaches a subscribed resident as a template message, refreshing a stale access token', async () => {
    const r = (await t.call('POST', '/api/requests', { token: li.token, json: { text: '3号楼2单元楼道灯坏了，晚上完全看不见，老人上下楼很危险', building: '3' } })).json.request
    const wang = await t.signIn('王芳', { phone: '13800000001' })
    expect((await t.call('POST', `/api/tasks/${r.id}/accept`, { token: wang.token })).status).toBe(200)
    t.wechat.expireAccessTokens()
    await worker.drain()
    const [row] = await mpRows(r.id)
    expect(row).toMatchObject({ status: 'sent', target: li.openid })
    const msg = t.wechat.subscribeMessages.at(-1)
    expect(msg).toMatchObject({
      touser: li.openid, template_id: 'TMPL_STATUS', page: `pages/request/detail?id=${r.id}`, miniprogram_state: 'formal', lang: 'zh_CN',
      data: { character_string1: { value: r.no }, phrase2: { value: '已签收' }, time4: { value: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d$/) } },
    })
    expect([...msg.data.thing3.value].length).toBeLessThanOrEqual(20)
  })

  it('a 回访 question uses the callback template', async () => {
    const r = (await t.call('POST', '/api/requests', { token: li.token, json: { text: '12号楼单元门关不上了', building: '12' } })).json.request
    await inTransaction(t.db, (em) => enqueue(em, t.clock, [{ dedupeKey: `cb:${r.id}`, channel: 'mp_subscribe', target: li.openid, text: '请评价本次服务', requestId: r.id, payload: { template: 'callback' } }]))
    await worker.drain()
    expect(t.wechat.subscribeMessages.at(-1)).toMatchObject({ template_id: 'TMPL_CALLBACK', data: { thing2: { value: '请评价本次服务' } } })
  })

  it('a worker without a subscribe sender (the bot\'s) leaves mini-program rows to the one that has it', async () => {
    await inTransaction(t.db, (em) => enqueue(em, t.clock, [{ dedupeKey: 'shared-1', channel: 'mp_subscribe', target: li.openid, text: '进展通知' }]))
    const botLike = new OutboxWorker({ db: t.db, clock: t.clock, senders: { wechat_dm: { send: async () => undefined }, wechat_room: { send: async () => undefined } }, logger: silentLogger, throttle: { perChatIntervalMs: 0, perMinute: 1000 } })
    await botLike.drain()
    expect(await t.db.getRepository(OutboxMessage).findOneByOrFail({ dedupeKey: 'shared-1' })).toMatchObject({ status: 'pending', attempts: 0 })
    expect(await botLike.pendingDue()).toBe(0)
    await worker.drain()
    expect(await t.db.getRepository(OutboxMessage).findOneByOrFail({ dedupeKey: 'shared-1' })).toMatchObject({ status: 'sent', attempts: 1 })
  })

  it('a user who refused (43101) is not retried', async () => {
    t.wechat.refuseSubscribe(li.openid)
    await inTransaction(t.db, (em) => enqueue(em, t.clock, [{ dedupeKey: 'refused-1', channel: 'mp_subscribe', target: li.openid, text: '进展通知' }]))
    await worker.drain()
    const row = await t.db.getRepository(OutboxMessage).findOneByOrFail({ dedupeKey: 'refused-1' })
    expect(row).toMatchObject({ status: 'dead', attempts: 1 })
    expect(row.lastError).toContain('43101')
  })
})

describeEachDb('subscribe messages without a template', (kind) => {
  let t: TestApi
  beforeAll(async () => { t = await startTestApi(kind, { env: { WECHAT_TEMPLATE_STATUS: '' } }) })
  afterAll(() => t.close())

  it('are dead at once, naming the missing setting', async () => {
    const sender = new SubscribeMessageSender({ wechat: t.app.deps.wechat, db: t.db, config: t.config })
    const worker = new OutboxWorker({ db: t.db, clock: t.clock, senders: { mp_subscribe: sender }, logger: silentLogger, throttle: { perChatIntervalMs: 0, perMinute: 1000 } })
    await inTransaction(t.db, (em) => enqueue(em, t.clock, [{ dedupeKey: 'no-template', channel: 'mp_subscribe', target: 'openid-x', text: '通知' }]))
    await worker.drain()
    const row = await t.db.getRepository(OutboxMessage).findOneByOrFail({ dedupeKey: 'no-template' })
    expect(row.status).toBe('dead')
    expect(row.lastError).toContain('WECHAT_TEMPLATE_STATUS')
  })
})
