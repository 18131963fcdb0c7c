// The learning loop end to end: a message is classified by a trained model and filed; the 书记 corrects
// it in triage; retraining on the corpus plus the stored corrections makes the same message come out as
// corrected. Training runs on a small slice of the corpus so the test stays fast.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DataSource } from 'typeorm'
import { VirtualClock } from '../../src/clock.js'
import { CATEGORIES, type Category } from '../../src/community/taxonomy.js'
import { trainingSet } from '../../src/corrections/trainingSet.js'
import { ChatRoom, ClassificationCorrection, ServiceRequest } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { batchFiles } from '../../src/intake/classifier/corpus.js'
import { LinearModel } from '../../src/intake/classifier/model.js'
import { OfflineClassifier } from '../../src/intake/classifier/offlineClassifier.js'
import { trainModel } from '../../src/intake/classifier/training.js'
import { runIntake } from '../../src/intake/run.js'
import { confirmTriage } from '../../src/requests/admin.js'
import { describeEachDb, openTestDb, seedSampleCommunity } from '../helpers/db.js'
import { resident, staffNamed, T0 } from '../helpers/fixtures.js'
import { intakeDeps } from '../helpers/intake.js'

/** 60 lines of every batch, in a folder of its own. */
function corpusSlice(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jiesu-slice-'))
  for (const path of batchFiles()) {
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim())
    writeFileSync(join(dir, path.split('/').pop()!), lines.filter((_, i) => i % 16 === 0).join('\n') + '\n')
  }
  return dir
}

// Written for this test; not a corpus line.
/** Fewer passes than `npm run train`: enough for a 300-line slice, and fast. */
const QUICK = { neural: { iterations: 40 } }

const MESSAGE = '东门岗亭旁边每天早上都横七竖八停满共享单车，推婴儿车根本过不去'

describeEachDb('learning from staff corrections', (kind) => {
  let db: DataSource, close: () => Promise<void>, communityId: number, roomId: number
  const clock = new VirtualClock(T0)
  const slice = corpusSlice()
  beforeAll(async () => {
    ;({ db, close } = await openTestDb(kind))
    communityId = await seedSampleCommunity(db)
    roomId = (await db.getRepository(ChatRoom).findOneByOrFail({ topic: '幸福里3号楼业主群' })).id
  })
  afterAll(() => close())

  it('a triage correction, then retraining: the same message is classified as corrected', async () => {
    const before = new LinearModel(trainModel(await trainingSet({ corpusDir: slice }), QUICK))
    const deps = intakeDeps(db, clock, new OfflineClassifier(before), { TRIAGE_CONFIDENCE: '1' })
    const reporter = await resident(db, communityId, '居民甲')
    const result = await runIntake(deps, {
      communityId, source: 'group', text: MESSAGE, residentId: reporter.id, chatRoomId: roomId, causeKey: 'inbox:loop-1', acknowledge: 'none',
    })
    expect(result.kind).toBe('created')
    if (result.kind !== 'created') return
    const filed = result.request
    expect(filed.classifierVersion).toBe(before.version)
    expect(filed.needsTriage).toBe(true)

    // The 书记 says it is something else, and less pressing.
    const wanted: Category = CATEGORIES.find((c) => c !== filed.category && c !== 'safety')!
    const wantedUrgency = filed.urgency === 'low' ? 'high' : 'low'
    const secretary = await staffNamed(db, '赵书记')
    await inTransaction(db, (em) => confirmTriage(em, clock, { requestId: filed.id, staff: secretary, category: wanted, urgency: wantedUrgency, channel: 'miniprogram' }))
    const stored = await db.getRepository(ClassificationCorrection).findOneByOrFail({ requestId: filed.id })
    expect(stored).toMatchObject({ text: MESSAGE, room: '幸福里3号楼业主群', oldCategory: filed.category, newCategory: wanted, classifierVersion: before.version, staffId: secretary.id })

    const after = new LinearModel(trainModel(await trainingSet({ corpusDir: slice, em: db.manager }), QUICK))
    expect(after.version).not.toBe(before.version)
    expect(after.file.trainedOn.corrections).toBe(1)
    const again = await new OfflineClassifier(after).classify({ text: MESSAGE, room: '幸福里3号楼业主群' })
    expect(again).toMatchObject({ isRequest: true, category: wanted, urgency: wantedUrgency, version: after.version })
    expect((await db.getRepository(ServiceRequest).findOneByOrFail({ id: filed.id })).category).toBe(wanted)
  }, 60_000)
})
