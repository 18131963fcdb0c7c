import { z } from 'zod'
import { registerRoute, type RouteDoc } from '../../openapi.js'
import { bindCodeView, buildingView, gridView, roomView, staffMemberView } from '../../presenters/admin.js'
import { dashboardView } from '../../presenters/dashboard.js'
import { digestSummaryView, digestView, triageItemView } from '../../presenters/secretary.js'
import {
  buildingCreateBody, buildingUpdateBody, digestListQuery, gridCreateBody, gridUpdateBody, importJsonBody, periodQuery,
  roomCreateBody, roomUpdateBody, staffCreateBody, staffUpdateBody, triageBody, triageListQuery,
} from './schema.js'

const tags = ['secretary']
const admin = ['secretary: community']

// Response bodies of the management routes: the changed row and the whole list it belongs to.
const list = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) })
const gridWrite = z.object({ grid: gridView, items: z.array(gridView) })
const buildingWrite = z.object({ building: buildingView, items: z.array(buildingView) })
const staffWrite = z.object({ staff: staffMemberView, items: z.array(staffMemberView) })
const roomWrite = z.object({ room: roomView, items: z.array(roomView) })
const importResponse = z.object({
  summary: z.object({ communityId: z.number().int(), created: z.number().int(), updated: z.number().int(), deactivated: z.number().int() }),
  grids: z.array(gridView), staff: z.array(staffMemberView), rooms: z.array(roomView),
})

/** The 书记's routes in the OpenAPI document (/api/openapi.json). */
export function registerSecretaryDocs() {
  const docs: RouteDoc[] = [
    { method: 'get', path: '/api/dashboard', summary: '三率 by grid and category, counts, median times (书记)', tags, query: periodQuery, response: dashboardView, errors: [403] },
    {
      method: 'get', path: '/api/digests', summary: 'Weekly digests, newest first (书记)', tags, query: digestListQuery, errors: [403],
      response: z.object({ items: z.array(digestSummaryView), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() }),
    },
    { method: 'get', path: '/api/digests/:id', summary: 'One weekly digest with its figures (书记)', tags, response: digestView, errors: [403, 404] },
    {
      method: 'get', path: '/digests/:id', summary: 'A weekly digest as an HTML page (书记)', tags, errors: [403, 404], responseType: 'text/html',
      description: 'Authenticates with the Bearer header or, for links opened in WeChat, a ?token= query parameter.',
      query: z.object({ token: z.string().optional() }),
    },
    {
      method: 'get', path: '/api/triage', summary: 'Requests waiting for a confirmed category, oldest first (书记); ?limit (default 500) and ?cursor=nextCursor for the next page', tags,
      query: triageListQuery, response: list(triageItemView).extend({ nextCursor: z.string().nullable().meta({ description: 'cursor of the next page, null on the last' }) }), errors: [403, 422],
    },
    { method: 'post', path: '/api/triage/:id', summary: 'Confirm or change the category/urgency of a request (书记)', tags, body: triageBody, response: triageItemView, errors: [403, 404, 429] },
    {
      method: 'get', path: '/api/requests.csv', summary: 'CSV export of requests created in a period (书记)', tags, query: periodQuery, errors: [403], responseType: 'text/csv',
      description: 'UTF-8 with BOM, Chinese headers, RFC 4180 quoting; no resident names or phones, phone and ID numbers masked in the text.',
    },
    { method: 'get', path: '/api/admin/grids', summary: 'Grids with leaders, buildings and rooms', tags: admin, response: list(gridView), errors: [403] },
    { method: 'post', path: '/api/admin/grids', summary: 'Create a grid', tags: admin, body: gridCreateBody, response: gridWrite, status: 201, errors: [403, 409, 429] },
    { method: 'patch', path: '/api/admin/grids/:id', summary: 'Rename a grid, change its leaders or its buildings', tags: admin, body: gridUpdateBody, response: gridWrite, errors: [403, 404, 409, 429] },
    {
      method: 'post', path: '/api/admin/grids/:id/deactivate', summary: 'Release a grid\'s buildings and rooms', tags: admin, errors: [403, 404, 429],
      response: gridWrite.extend({ releasedBuildings: z.number().int(), releasedRooms: z.number().int() }),
    },
    { method: 'get', path: '/api/admin/buildings', summary: 'Buildings and their grids', tags: admin, response: list(buildingView), errors: [403] },
    { method: 'post', path: '/api/admin/buildings', summary: 'Add a building', tags: admin, body: buildingCreateBody, response: buildingWrite, status: 201, errors: [403, 409, 429] },
    { method: 'patch', path: '/api/admin/buildings/:id', summary: 'Move a building to another grid', tags: admin, body: buildingUpdateBody, response: buildingWrite, errors: [403, 404, 429] },
    { method: 'post', path: '/api/admin/buildings/:id/deactivate', summary: 'Take a building out of its grid', tags: admin, response: buildingWrite, errors: [403, 404, 429] },
    { method: 'get', path: '/api/admin/staff', summary: 'Staff (phones masked)', tags: admin, response: list(staffMemberView), errors: [403] },
    { method: 'post', path: '/api/admin/staff', summary: 'Add a staff member', tags: admin, body: staffCreateBody, response: staffWrite, status: 201, errors: [403, 409, 429] },
    { method: 'post', path: '/api/admin/staff/:id/bind-code', summary: 'Issue a one-time WeChat 认证 code for a staff member (earlier codes stop working)', tags: admin, response: bindCodeView, status: 201, errors: [403, 404, 409, 429] },
    { method: 'patch', path: '/api/admin/staff/:id', summary: 'Change a staff member (name, WeChat name, role, phone, active)', tags: admin, body: staffUpdateBody, response: staffWrite, errors: [403, 404, 409, 429] },
    {
      method: 'post', path: '/api/admin/staff/:id/deactivate', summary: 'Deactivate a staff member', tags: admin, errors: [403, 404, 409, 429],
      response: staffWrite.extend({ openTasks: z.number().int().meta({ description: 'tasks still assigned to them, to re-dispatch' }) }),
    },
    { method: 'get', path: '/api/admin/rooms', summary: 'WeChat groups and their grids', tags: admin, response: list(roomView), errors: [403] },
    { method: 'post', path: '/api/admin/rooms', summary: 'Add a WeChat group', tags: admin, body: roomCreateBody, response: roomWrite, status: 201, errors: [403, 409, 429] },
    { method: 'patch', path: '/api/admin/rooms/:id', summary: 'Rename a group or bind it to a grid', tags: admin, body: roomUpdateBody, response: roomWrite, errors: [403, 404, 409, 429] },
    {
      method: 'delete', path: '/api/admin/rooms/:id', summary: 'Remove a group no request came from', tags: admin, errors: [403, 404, 409, 429],
      response: z.object({ deleted: z.object({ id: z.number().int(), topic: z.string() }), items: z.array(roomView) }),
    },
    {
      method: 'post', path: '/api/admin/import', summary: 'Re-import the community YAML (same rules as the CLI import)', tags: admin, body: importJsonBody, response: importResponse,
      description: 'Send the file as text/yaml, or JSON {"yaml": "…"}. An invalid file is a 400 invalid_community_file whose details.problems name line, path and problem.',
      errors: [403, 413, 429],
    },
  ]
  for (const d of docs) registerRoute(d)
}
