import type Router from '@koa/router'
import type { Context } from 'koa'
import { importCommunity, parseCommunityFile } from '../../../src/community/import.js'
import {
  createBuilding, createGrid, createRoom, createStaff, deactivateBuilding, deactivateGrid, deactivateStaff, deleteRoom,
  updateBuilding, updateGrid, updateRoom, updateStaff,
} from '../../../src/community/manage.js'
import { loadCommunity, type CommunitySnapshot } from '../../../src/community/snapshot.js'
import type { AppContext } from '../../../src/context.js'
import { inTransaction } from '../../../src/db/transaction.js'
import { ForbiddenError } from '../../../src/errors.js'
import { issueBindCode } from '../../../src/people/staffIdentity.js'
import { staffOf } from '../../deps.js'
import { requireStaff } from '../../middleware/auth.js'
import { rateLimit } from '../../middleware/rateLimit.js'
import { inputOf, validate } from '../../middleware/validate.js'
import { codeOrder, presentBuilding, presentGrid, presentRoom, presentStaffMember } from '../../presenters/admin.js'
import { readYamlBody } from './body.js'
import {
  bodyInput, bodyWithIdInput, buildingCreateBody, buildingUpdateBody, gridCreateBody, gridUpdateBody, idInput,
  roomCreateBody, roomUpdateBody, staffCreateBody, staffUpdateBody,
} from './schema.js'

const YAML_LIMIT_BYTES = 256 * 1024

/**
 * Management of grids, buildings, staff and rooms, and a re-import of the community YAML.
 * 书记 only, always inside the 书记's own community. Each write answers with the changed row and
 * the whole list it belongs to, so the page can redraw without another call.
 */
export function adminRoutes(router: Router, app: AppContext) {
  const secretary = requireStaff('secretary')
  const writes = rateLimit()
  const key = { encryptionKey: app.config.DATA_ENCRYPTION_KEY }
  const snapshot = (ctx: Context) => loadCommunity(app.db.manager, staffOf(ctx).communityId)
  const audit = (ctx: Context, action: string, details: Record<string, unknown>) =>
    ctx.state.logger?.info({ action, staffId: staffOf(ctx).id, communityId: staffOf(ctx).communityId, ...details }, 'community changed by secretary')

  const grids = (c: CommunitySnapshot) => c.grids.map((g) => presentGrid(g, c))
  const buildings = (c: CommunitySnapshot) => [...c.buildings].sort((a, b) => codeOrder(a.code, b.code)).map((b) => presentBuilding(b, c))
  const staff = (c: CommunitySnapshot) => c.staff.map((s) => presentStaffMember(s, c))
  const rooms = (c: CommunitySnapshot) => [...c.rooms].sort((a, b) => a.id - b.id).map((r) => presentRoom(r, c))

  // --- grids
  router.get('/api/admin/grids', secretary, async (ctx) => { ctx.body = { items: grids(await snapshot(ctx)) } })
  router.post('/api/admin/grids', writes, secretary, validate(bodyInput(gridCreateBody)), async (ctx) => {
    const { body } = inputOf(ctx, bodyInput(gridCreateBody))
    const g = await inTransaction(app.db, (em) => createGrid(em, { communityId: staffOf(ctx).communityId, ...body }))
    audit(ctx, 'grid.create', { gridId: g.id })
    const c = await snapshot(ctx)
    ctx.status = 201
    ctx.body = { grid: presentGrid(g, c), items: grids(c) }
  })
  router.patch('/api/admin/grids/:id', writes, secretary, validate(bodyWithIdInput(gridUpdateBody)), async (ctx) => {
    const { body, params } = inputOf(ctx, bodyWithIdInput(gridUpdateBody))
    const g = await inTransaction(app.db, (em) => updateGrid(em, { communityId: staffOf(ctx).communityId, gridId: params.id, ...body }))
    audit(ctx, 'grid.update', { gridId: g.id, fields: Object.keys(body) })
    const c = await snapshot(ctx)
    ctx.body = { grid: presentGrid(g, c), items: grids(c) }
  })
  router.post('/api/admin/grids/:id/deactivate', writes, secretary, validate(idInput), async (ctx) => {
    const { params } = inputOf(ctx, idInput)
    const r = await inTransaction(app.db, (em) => deactivateGrid(em, { communityId: staffOf(ctx).communityId, gridId: params.id }))
    audit(ctx, 'grid.deactivate', { gridId: r.grid.id })
    const c = await snapshot(ctx)
    ctx.body = { grid: presentGrid(r.grid, c), releasedBuildings: r.releasedBuildings, releasedRooms: r.releasedRooms, items: grids(c) }
  })

  // --- buildings
  router.get('/api/admin/buildings', secretary, async (ctx) => { ctx.body = { items: buildings(await snapshot(ctx)) } })
  router.post('/api/admin/buildings', writes, secretary, validate(bodyInput(buildingCreateBody)), async (ctx) => {
    const { body } = inputOf(ctx, bodyInput(buildingCreateBody))
    const b = await inTransaction(app.db, (em) => createBuilding(em, { communityId: staffOf(ctx).communityId, ...body }))
    audit(ctx, 'building.create', { buildingId: b.id })
    const c = await snapshot(ctx)
    ctx.status = 201
    ctx.body = { building: presentBuilding(b, c), items: buildings(c) }
  })
  router.patch('/api/admin/buildings/:id', writes, secretary, validate(bodyWithIdInput(buildingUpdateBody)), async (ctx) => {
    const { body, params } = inputOf(ctx, bodyWithIdInput(buildingUpdateBody))
    const b = await inTransaction(app.db, (em) => updateBuilding(em, { communityId: staffOf(ctx).communityId, buildingId: params.id, gridId: body.gridId }))
    audit(ctx, 'building.update', { buildingId: b.id, gridId: b.gridId })
    const c = await snapshot(ctx)
    ctx.body = { building: presentBuilding(b, c), items: buildings(c) }
  })
  router.post('/api/admin/buildings/:id/deactivate', writes, secretary, validate(idInput), async (ctx) => {
    const { params } = inputOf(ctx, idInput)
    const b = await inTransaction(app.db, (em) => deactivateBuilding(em, { communityId: staffOf(ctx).communityId, buildingId: params.id }))
    audit(ctx, 'building.deactivate', { buildingId: b.id })
    const c = await snapshot(ctx)
    ctx.body = { building: presentBuilding(b, c), items: buildings(c) }
  })

  // --- staff
  router.get('/api/admin/staff', secretary, async (ctx) => { ctx.body = { items: staff(await snapshot(ctx)) } })
  router.post('/api/admin/staff', writes, secretary, validate(bodyInput(staffCreateBody)), async (ctx) => {
    const { body } = inputOf(ctx, bodyInput(staffCreateBody))
    const s = await inTransaction(app.db, (em) => createStaff(em, { communityId: staffOf(ctx).communityId, ...body }, key))
    audit(ctx, 'staff.create', { targetStaffId: s.id, role: s.role })
    const c = await snapshot(ctx)
    ctx.status = 201
    ctx.body = { staff: presentStaffMember(s, c), items: staff(c) }
  })
  // A one-time 认证 code: the staff member binds (or re-binds, on a new phone) their WeChat with it; earlier codes stop working.
  router.post('/api/admin/staff/:id/bind-code', writes, secretary, validate(idInput), async (ctx) => {
    const { params } = inputOf(ctx, idInput)
    const issued = await inTransaction(app.db, (em) => issueBindCode(em, app.clock, { communityId: staffOf(ctx).communityId, staffId: params.id }))
    audit(ctx, 'staff.bind_code', { targetStaffId: issued.staffId })
    ctx.status = 201
    ctx.body = { staffId: issued.staffId, name: issued.name, code: issued.code, expiresAt: issued.expiresAt.toISOString() }
  })
  router.patch('/api/admin/staff/:id', writes, secretary, validate(bodyWithIdInput(staffUpdateBody)), async (ctx) => {
    const { body, params } = inputOf(ctx, bodyWithIdInput(staffUpdateBody))
    const s = await inTransaction(app.db, (em) => updateStaff(em, { communityId: staffOf(ctx).communityId, staffId: params.id, ...body }, key))
    audit(ctx, 'staff.update', { targetStaffId: s.id, fields: Object.keys(body) })
    const c = await snapshot(ctx)
    ctx.body = { staff: presentStaffMember(s, c), items: staff(c) }
  })
  router.post('/api/admin/staff/:id/deactivate', writes, secretary, validate(idInput), async (ctx) => {
    const { params } = inputOf(ctx, idInput)
    const r = await inTransaction(app.db, (em) => deactivateStaff(em, { communityId: staffOf(ctx).communityId, staffId: params.id }, key))
    audit(ctx, 'staff.deactivate', { targetStaffId: r.staff.id, openTasks: r.openTasks })
    const c = await snapshot(ctx)
    ctx.body = { staff: presentStaffMember(r.staff, c), openTasks: r.openTasks, items: staff(c) }
  })

  // --- rooms
  router.get('/api/admin/rooms', secretary, async (ctx) => { ctx.body = { items: rooms(await snapshot(ctx)) } })
  router.post('/api/admin/rooms', writes, secretary, validate(bodyInput(roomCreateBody)), async (ctx) => {
    const { body } = inputOf(ctx, bodyInput(roomCreateBody))
    const r = await inTransaction(app.db, (em) => createRoom(em, { communityId: staffOf(ctx).communityId, ...body }))
    audit(ctx, 'room.create', { roomId: r.id })
    const c = await snapshot(ctx)
    ctx.status = 201
    ctx.body = { room: presentRoom(r, c), items: rooms(c) }
  })
  router.patch('/api/admin/rooms/:id', writes, secretary, validate(bodyWithIdInput(roomUpdateBody)), async (ctx) => {
    const { body, params } = inputOf(ctx, bodyWithIdInput(roomUpdateBody))
    const r = await inTransaction(app.db, (em) => updateRoom(em, { communityId: staffOf(ctx).communityId, roomId: params.id, ...body }))
    audit(ctx, 'room.update', { roomId: r.id, fields: Object.keys(body) })
    const c = await snapshot(ctx)
    ctx.body = { room: presentRoom(r, c), items: rooms(c) }
  })
  router.delete('/api/admin/rooms/:id', writes, secretary, validate(idInput), async (ctx) => {
    const { params } = inputOf(ctx, idInput)
    const r = await inTransaction(app.db, (em) => deleteRoom(em, { communityId: staffOf(ctx).communityId, roomId: params.id }))
    audit(ctx, 'room.delete', { roomId: r.id, topic: r.topic })
    ctx.body = { deleted: { id: params.id, topic: r.topic }, items: rooms(await snapshot(ctx)) }
  })

  // --- re-import of the community file
  router.post('/api/admin/import', writes, secretary, async (ctx) => {
    const yaml = await readYamlBody(ctx, YAML_LIMIT_BYTES)
    // Problems come back as 400 invalid_community_file with details.problems (line:col, path, what is wrong).
    const doc = parseCommunityFile(yaml, 'community.yaml')
    const { community } = await snapshot(ctx)
    if (doc.community !== community.name) {
      throw new ForbiddenError(`配置文件中的社区「${doc.community}」不是您所在的社区「${community.name}」`, 'community_mismatch')
    }
    const summary = await importCommunity(app.db, doc, key)
    audit(ctx, 'community.import', { ...summary })
    const c = await snapshot(ctx)
    ctx.body = { summary, grids: grids(c), staff: staff(c), rooms: rooms(c) }
  })
}
