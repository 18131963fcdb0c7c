import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServiceRequest } from '../../src/db/entities/index.js'
import { Attachment, RequestEvent, ServiceRequest as ServiceRequestEntity } from '../../src/db/entities/index.js'
import { inTransaction } from '../../src/db/transaction.js'
import { resolveRequest } from '../../src/requests/staffActions.js'
import { fakeImage, photoForm, startTestApi, type ApiResponse, type SignedIn, type TestApi } from '../helpers/api.js'
import { describeEachDb } from '../helpers/db.js'
import { fileRequest, staffNamed } from '../helpers/fixtures.js'

/**
 * Role × endpoint × owner. Every cell gets a fresh request in building 3 (第一网格: leader 王芳, deputy 孙丽),
 * reported by the "owner" resident with one photo and dispatched to 王芳.
 */
const ROLES = ['resident-own', 'resident-other', 'leader-own-grid', 'deputy-own-grid', 'leader-other-grid', 'secretary'] as const
type Role = (typeof ROLES)[number]

interface Cell { status: number; code?: string }
type Endpoint = {
  name: string
  /** the request must be resolved first (rating) */
  resolved?: boolean
  /** photoId is a photo 王芳 (the assignee) uploaded and attached, not the owner's */
  staffPhoto?: boolean
  call: (t: TestApi, token: string, r: ServiceRequest, photoId: number) => Promise<ApiResponse>
  /** for list endpoints: whether the request is in the list, else the status (and error code) */
  expect: Record<Role, Cell | boolean>
}

const ok = { status: 200 }, created = { status: 201 }
const hidden = { status: 404, code: 'request_not_found' }
const photoHidden = { status: 404, code: 'photo_not_found' }
const staffOnly = { status: 403, code: 'staff_only' }
const notAssignee = { status: 403, code: 'not_assignee' }
const notReporter = { status: 403, code: 'not_reporter' }

const MATRIX: Endpoint[] = [
  {
    name: 'GET /api/requests/:id', call: (t, token, r) => t.call('GET', `/api/requests/${r.id}`, { token }),
    expect: { 'resident-own': ok, 'resident-other': hidden, 'leader-own-grid': ok, 'deputy-own-grid': ok, 'leader-other-grid': hidden, secretary: ok },
  },
  {
    name: 'GET /api/photos/:id', call: (t, token, _r, photoId) => t.call('GET', `/api/photos/${photoId}`, { token }),
    expect: { 'resident-own': ok, 'resident-other': photoHidden, 'leader-own-grid': ok, 'deputy-own-grid': ok, 'leader-other-grid': photoHidden, secretary: ok },
  },
  {
    name: 'GET /api/photos/:id (the assignee\'s resolution photo)', staffPhoto: true, call: (t, token, _r, photoId) => t.call('GET', `/api/photos/${photoId}`, { token }),
    expect: { 'resident-own': ok, 'resident-other': photoHidden, 'leader-own-grid': ok, 'deputy-own-grid': ok, 'leader-other-grid': photoHidden, secretary: ok },
  },
  {
    name: 'GET /api/requests (in my list)', call: (t, token) => t.call('GET', '/api/requests?pageSize=50', { token }),
    expect: { 'resident-own': true, 'resident-other': false, 'leader-own-grid': false, 'deputy-own-grid': false, 'leader-other-grid': false, secretary: false },
  },
  {
    name: 'GET /api/tasks (in my tasks)', call: (t, token) => t.call('GET', '/api/tasks?pageSize=50', { token }),
    expect: { 'resident-own': staffOnly, 'resident-other': staffOnly, 'leader-own-grid': true, 'deputy-own-grid': false, 'leader-other-grid': false, secretary: false },
  },
  {
    name: 'POST /api/requests/:id/comments', call: (t, token, r) => t.call('POST', `/api/requests/${r.id}/comments`, { token, json: { text: '请问进展如何' } }),
    expect: { 'resident-own': created, 'resident-other': hidden, 'leader-own-grid': created, 'deputy-own-grid': created, 'leader-other-grid': hidden, secretary: created },
  },
  {
    // a write with a photo: the caller uploads their own photo and attaches it with a comment
    name: 'POST /api/requests/:id/comments with my photo',
    call: async (t, token, r) => {
      const up = await t.call('POST', '/api/photos', { token, body: photoForm([{ data: fakeImage.jpeg() }]) })
      expect(up.status).toBe(201)
      const res = await t.call('POST', `/api/requests/${r.id}/comments`, { token, json: { text: '补充照片', photos: [up.json.items[0].id] } })
      const attached = await t.db.getRepository(Attachment).findOneByOrFail({ id: up.json.items[0].id })
      expect(attached.requestId).toBe(res.status === 201 ? r.id : null)
      return res
    },
    expect: { 'resident-own': created, 'resident-other': hidden, 'leader-own-grid': created, 'deputy-own-grid': created, 'leader-other-grid': hidden, secretary: created },
  },
  {
    name: 'POST /api/requests/:id/rating', resolved: true,
    call: (t, token, r) => t.call('POST', `/api/requests/${r.id}/rating`, { token, json: { solved: true, rating: 'satisfied' } }),
    expect: { 'resident-own': ok, 'resident-other': hidden, 'leader-own-grid': notReporter, 'deputy-own-grid': notReporter, 'leader-other-grid': hidden, secretary: notReporter },
  },
  {
    name: 'POST /api/tasks/:id/accept', call: (t, token, r) => t.call('POST', `/api/tasks/${r.id}/accept`, { token }),
    expect: { 'resident-own': staffOnly, 'resident-other': staffOnly, 'leader-own-grid': ok, 'deputy-own-grid': notAssignee, 'leader-other-grid': hidden, secretary: ok },
  },
  {
    name: 'POST /api/tasks/:id/resolve', call: (t, token, r) => t.call('POST', `/api/tasks/${r.id}/resolve`, { token, json: { note: '已处理' } }),
    expect: { 'resident-own': staffOnly, 'resident-other': staffOnly, 'leader-own-grid': ok, 'deputy-own-grid': notAssignee, 'leader-other-grid': hidden, secretary: ok },
  },
  {
    name: 'POST /api/tasks/:id/return', call: (t, token, r) => t.call('POST', `/api/tasks/${r.id}/return`, { token, json: { reason: '不归我管' } }),
    expect: { 'resident-own': staffOnly, 'resident-other': staffOnly, 'leader-own-grid': ok, 'deputy-own-grid': notAssignee, 'leader-other-grid': hidden, secretary: ok },
  },
  {
    name: 'POST /api/tasks/:id/transfer', call: (t, token, r) => t.call('POST', `/api/tasks/${r.id}/transfer`, { token, json: { staff: '孙丽' } }),
    expect: { 'resident-own': staffOnly, 'resident-other': staffOnly, 'leader-own-grid': ok, 'deputy-own-grid': ok, 'leader-other-grid': hidden, secretary: ok },
  },
]

describeEachDb('authorization matrix: role × endpoint × owner', (kind) => {
  let t: TestApi
  const users = {} as Record<Role, SignedIn>
  beforeAll(async () => {
    t = await startTestApi(kind, { env: { RATE_LIMIT_WRITES_PER_USER: '10000', RATE_LIMIT_WRITES_PER_IP: '10000' } })
    users['resident-own'] = await t.signIn('业主甲')
    users['resident-other'] = await t.signIn('业主乙')
    users['leader-own-grid'] = await t.signIn('王芳', { phone: '13800000001' })
    users['deputy-own-grid'] = await t.signIn('孙丽', { phone: '13800000011' })
    users['leader-other-grid'] = await t.signIn('刘强', { phone: '13800000002' })
    users.secretary = await t.signIn('赵书记', { phone: '13900000000' })
  })
  afterAll(() => t.close())

  /** A fresh request of the owner's, with one of their photos (or, with staffPhoto, one of the assignee's) attached. */
  async function freshRequest(resolved: boolean, staffPhoto = false) {
    const r = await fileRequest(t.db, t.clock, t.communityId, { reporterId: users['resident-own'].user.id, building: '3', text: '3号楼楼道灯坏了' })
    const uploader = staffPhoto ? users['leader-own-grid'] : users['resident-own']
    const up = await t.call('POST', '/api/photos', { token: uploader.token, body: photoForm([{ data: fakeImage.png() }]) })
    const photoId: number = up.json.items[0].id
    await t.db.getRepository(Attachment).update({ id: photoId }, { requestId: r.id })
    if (resolved) {
      const wang = await staffNamed(t.db, '王芳')
      await inTransaction(t.db, (em) => resolveRequest(em, t.clock, { requestId: r.id, staff: wang, channel: 'private', note: '好了' }))
    }
    return { r: await t.db.getRepository(ServiceRequestEntity).findOneByOrFail({ id: r.id }), photoId }
  }

  for (const endpoint of MATRIX) {
    describe(endpoint.name, () => {
      for (const role of ROLES) {
        const want = endpoint.expect[role]
        const label = typeof want === 'boolean' ? (want ? 'listed' : 'not listed') : `${want.status}${want.code ? ` ${want.code}` : ''}`
        it(`${role} → ${label}`, async () => {
          const { r, photoId } = await freshRequest(!!endpoint.resolved, !!endpoint.staffPhoto)
          const events = () => t.db.getRepository(RequestEvent).countBy({ requestId: r.id })
          const eventsBefore = await events()
          const res = await endpoint.call(t, users[role].token, r, photoId)
          if (res.status >= 400) {
            // a refused write changed nothing
            const after = await t.db.getRepository(ServiceRequestEntity).findOneByOrFail({ id: r.id })
            expect({ status: after.status, assignee: after.assigneeStaffId, events: await events() }).toEqual({ status: r.status, assignee: r.assigneeStaffId, events: eventsBefore })
          }
          if (typeof want === 'boolean') {
            expect(res.status).toBe(200)
            expect(res.json.items.some((x: any) => x.id === r.id)).toBe(want)
          } else {
            expect(res.status, res.text).toBe(want.status)
            if (want.code) expect(res.json.error.code).toBe(want.code)
          }
          // whatever the answer, nobody's phone number or openid leaks
          expect(res.text).not.toMatch(/1[3-9]\d{9}|openid-/)
        })
      }
    })
  }

  it('a request assigned across grids is visible to its assignee', async () => {
    const { r } = await freshRequest(false)
    const zhao = users.secretary
    expect((await t.call('POST', `/api/tasks/${r.id}/transfer`, { token: zhao.token, json: { staff: '刘强' } })).status).toBe(200)
    expect((await t.call('GET', `/api/requests/${r.id}`, { token: users['leader-other-grid'].token })).status).toBe(200)
  })
})
