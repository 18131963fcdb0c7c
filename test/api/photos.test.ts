import { readdir } from 'node:fs/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Attachment } from '../../src/db/entities/index.js'
import { LocalDiskStorage } from '../../src/storage/localDisk.js'
import { sniffImageType } from '../../src/storage/imageType.js'
import { fakeImage, photoForm, startTestApi, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'

it('sniffs jpeg, png and webp by content only', () => {
  expect(sniffImageType(fakeImage.jpeg())).toBe('image/jpeg')
  expect(sniffImageType(fakeImage.png())).toBe('image/png')
  expect(sniffImageType(fakeImage.webp())).toBe('image/webp')
  expect(sniffImageType(Buffer.from('GIF89a……'))).toBeNull()
  expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull()
  expect(sniffImageType(Buffer.from([0xff, 0xd8]))).toBeNull()
  expect(sniffImageType(Buffer.from('RIFF\0\0\0\0WAVE'))).toBeNull()
})

it('local disk storage round-trips and refuses keys that leave its root', async () => {
  const { mkdtemp, rm } = await import('node:fs/promises')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const dir = await mkdtemp(join(tmpdir(), 'jiesu-storage-'))
  try {
    const s = new LocalDiskStorage(dir)
    await s.put('photos/2026/11/a.png', fakeImage.png(10))
    expect((await s.get('photos/2026/11/a.png'))!.equals(fakeImage.png(10))).toBe(true)
    expect(await s.get('photos/none.png')).toBeNull()
    await s.delete('photos/2026/11/a.png')
    expect(await s.get('photos/2026/11/a.png')).toBeNull()
    for (const key of ['../escape.png', '/etc/passwd', 'photos/../../x', 'a//b', 'a\0b', '']) {
      await expect(s.put(key, Buffer.from('x'))).rejects.toThrow(/unsafe storage key/)
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

describeEachDb('mini-program: photos', (kind) => {
  let t: TestApi
  let li: SignedIn
  beforeAll(async () => {
    t = await startTestApi(kind)
    li = await t.signIn('李阿姨')
  })
  afterAll(() => t.close())

  const upload = (token: string, files: Parameters<typeof photoForm>[0]) => t.call('POST', '/api/photos', { token, body: photoForm(files) })

  it('accepts jpeg, png and webp by content, whatever the declared type or name', async () => {
    const res = await upload(li.token, [
      { data: fakeImage.png(), type: 'application/octet-stream', name: 'x.bin' },
      { data: fakeImage.webp(), type: 'image/jpeg', name: 'x.jpg' },
    ])
    expect(res.status).toBe(201)
    expect(res.json.items.map((p: any) => p.mime)).toEqual(['image/png', 'image/webp'])
    const rows = await t.db.getRepository(Attachment).findBy({ uploaderType: 'resident', uploaderId: li.user.id })
    expect(rows.every((r) => r.requestId === null && r.storageKey.startsWith('photos/'))).toBe(true)
  })

  it('refuses anything else with 415, even when it says image/png', async () => {
    const res = await upload(li.token, [{ data: Buffer.from('<script>alert(1)</script>'), type: 'image/png', name: 'a.png' }])
    expect(res.status).toBe(415)
    expect(res.json.error.code).toBe('unsupported_image_type')
  })

  it('refuses a photo over 5 MB with 413 and stores nothing', async () => {
    const files = async () => (await readdir(t.uploadDir, { recursive: true })).length
    const before = await files()
    const res = await upload(li.token, [{ data: fakeImage.png(5 * 1024 * 1024 + 1) }])
    expect(res.status).toBe(413)
    expect(res.json.error.code).toBe('payload_too_large')
    expect(await files()).toBe(before)
    const exactly = await upload(li.token, [{ data: fakeImage.jpeg(5 * 1024 * 1024) }])
    expect(exactly.status).toBe(201)
  })

  it('allows at most 9 photos per upload and per request', async () => {
    const ten = Array.from({ length: 10 }, () => ({ data: fakeImage.png() }))
    const tooMany = await upload(li.token, ten)
    expect(tooMany.status).toBe(400)
    expect(tooMany.json.error.code).toBe('too_many_files')
    const ids = (await upload(li.token, ten.slice(0, 9))).json.items.map((p: any) => p.id)
    expect(ids).toHaveLength(9)
    const one = (await upload(li.token, [{ data: fakeImage.png() }])).json.items[0].id
    const res = await t.call('POST', '/api/requests', { token: li.token, json: { text: '4号楼垃圾站满了没人清理，很臭', photos: [...ids, one] } })
    expect(res.status).toBe(400)
    const ok = await t.call('POST', '/api/requests', { token: li.token, json: { text: '4号楼垃圾站满了没人清理，很臭', photos: ids } })
    expect(ok.status).toBe(201)
    expect(ok.json.photos).toHaveLength(9)
    // a used photo cannot be attached again
    const reuse = await t.call('POST', '/api/requests', { token: li.token, json: { text: '11号楼门禁坏了，刷卡没反应', photos: [ids[0]] } })
    expect(reuse.status).toBe(409)
    expect(reuse.json.error.code).toBe('photo_already_used')
  })

  it('a neighbour attached to a request that already has 9 photos is still answered 200; their photo stays theirs', async () => {
    const nine = (await upload(li.token, Array.from({ length: 9 }, () => ({ data: fakeImage.png() })))).json.items.map((p: any) => p.id)
    const first = await t.call('POST', '/api/requests', { token: li.token, json: { text: '2号楼电梯坏了，困了好久', building: '2', photos: nine } })
    expect(first.status, first.text).toBe(201)
    const zhang = await t.signIn('张大爷')
    const mine = (await upload(zhang.token, [{ data: fakeImage.jpeg() }])).json.items[0].id
    const same = await t.call('POST', '/api/requests', { token: zhang.token, json: { text: '2号楼电梯又坏了', building: '2', photos: [mine] } })
    expect(same.status, same.text).toBe(200)
    expect(same.json).toMatchObject({ outcome: 'attached', request: { id: first.json.request.id }, photos: [] })
    expect(await t.db.getRepository(Attachment).countBy({ requestId: first.json.request.id })).toBe(9)
    expect((await t.db.getRepository(Attachment).findOneByOrFail({ id: mine })).requestId).toBeNull()
    // the photo can go with the next report
    const next = await t.call('POST', '/api/requests', { token: zhang.token, json: { text: '2号楼门口垃圾没人清理，很臭', building: '2', photos: [mine] } })
    expect(next.status, next.text).toBe(201)
    expect(next.json.photos).toEqual([mine])
  })

  it('someone else\'s upload cannot be referenced, and is not served to them before it is attached', async () => {
    const other = await t.signIn('王大妈')
    const mine = (await upload(li.token, [{ data: fakeImage.png() }])).json.items[0].id
    const res = await t.call('POST', '/api/requests', { token: other.token, json: { text: '10号楼电梯按钮坏了', photos: [mine] } })
    expect(res.status).toBe(400)
    expect(res.json.error.code).toBe('photo_not_found')
    expect((await t.call('GET', `/api/photos/${mine}`, { token: other.token })).status).toBe(404)
    expect((await t.call('GET', `/api/photos/${mine}`, { token: li.token })).status).toBe(200)
    expect((await t.call('GET', `/api/photos/${mine}`)).status).toBe(401)
    expect((await t.call('GET', '/api/photos/999999', { token: li.token })).status).toBe(404)
  })

  it('a non-multipart upload, an empty form or a broken multipart body is a 4xx', async () => {
    const json = await t.call('POST', '/api/photos', { token: li.token, json: { photo: 'x' } })
    expect(json.status).toBe(415)
    const empty = await t.call('POST', '/api/photos', { token: li.token, body: new FormData() })
    expect(empty.status).toBe(400)
    const broken = await t.call('POST', '/api/photos', { token: li.token, body: '--xx\r\nContent-Disposition: form-data; name="photo"; filename="a.png"\r\n\r\n\x89PNG', headers: { 'content-type': 'multipart/form-data; boundary=xx' } })
    expect(broken.status).toBe(400)
    expect(broken.json.error.code).toBe('invalid_multipart')
  })
})
