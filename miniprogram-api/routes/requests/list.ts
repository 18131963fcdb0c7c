import type { DataSource } from 'typeorm'
import type { CommunitySettings } from '../../../src/community/settings.js'
import { Resident, ServiceRequest, Staff } from '../../../src/db/entities/index.js'
import { CALLER_RESIDENT_FIELDS, CALLER_STAFF_FIELDS, type CallerRows, type Claims } from '../../middleware/auth.js'
import { rawArrays, rawColumns, rawQuery } from '../../../src/db/rawRows.js'
import type { RequestStatus } from '../../../src/requests/stateMachine.js'
import { PRESENTED_REQUEST_FIELDS } from '../../presenters/request.js'
import { configCache } from '../../../src/community/cache.js'

/** What `presentRequest` reads, and whose text the caller wrote (their own text is not masked). */
const LIST_FIELDS = [...PRESENTED_REQUEST_FIELDS, 'reporterResidentId'] as const
export type ListedRequest = Pick<ServiceRequest, (typeof LIST_FIELDS)[number]>

/** A page's request, with its assignee's name and its community's settings. */
export interface ListedRequestRow { request: ListedRequest; assigneeName: string | null; settings: CommunitySettings | undefined }

/**
 * The settings of the page's communities (their SLA rules colour each row), from the per-process community cache
 * checked against the config_version the page read: an int per row rather than the settings' JSON text, and no
 * statement unless a community's configuration changed since this process cached it.
 */
async function settingsOf(db: DataSource, versions: Map<number, number>): Promise<Map<number, CommunitySettings | undefined>> {
  const out = new Map<number, CommunitySettings | undefined>()
  for (const [communityId, version] of versions) out.set(communityId, (await configCache(db).snapshot(db.manager, communityId, version)).community.settings ?? undefined)
  return out
}

export interface MyRequestsQuery { caller: Claims; statuses?: RequestStatus[]; cursor?: number; page: number; pageSize: number }

/** A page as the database sent it (DATETIMEs as text), before anything is made of it: `presentMyRequests` compares these. */
export interface MyRequestsRows {
  at: Map<string, number>
  rows: unknown[][]
  total: number
  /** The caller's rows, read by the page's statement (null when the page is empty: nothing to read them with). */
  caller: CallerRows | null
}

/**
 * One page of the requests a resident reported or co-reported, newest first, with each one's assignee name,
 * community config version, the total and the caller's rows (admitCaller): one statement, a keyset range on
 * request_reporters (resident_id, request_id) joined by primary key (ids are assigned in report order, so id order is
 * the newest-first order). Only when the page is empty (past the end) is the total read by a second statement.
 */
export async function readMyRequests(db: DataSource, o: MyRequestsQuery): Promise<MyRequestsRows> {
  const residentId = o.caller.residentId
  const statuses = o.statuses ?? []
  const { me, claimed, pageSql, totalSql, countSql } = statementsFor(db, statuses.length, !!o.cursor)
  const { at, rows } = await rawArrays(db, pageSql,
    [residentId, ...statuses, o.caller.staffId ?? 0, residentId, ...statuses, ...(o.cursor ? [o.cursor] : []), o.pageSize, o.cursor ? 0 : (o.page - 1) * o.pageSize],
  )
  const filter = [residentId, ...statuses]
  let total = rows.length ? rows[0]![at.get('total')!] : (await rawQuery(db, totalSql, filter))[0]?.n
  if (total == null) total = (await rawQuery(db, countSql, filter))[0]?.n
  const first = rows.slice(0, 1)
  const caller = first.length ? { resident: me.hydrateAll(first, at, 'me_')[0]!, staffRow: first[0]![at.get('ms_id')!] == null ? null : claimed.hydrateAll(first, at, 'ms_')[0]! } : null
  return { at, rows, total: Number(total ?? 0), caller }
}

/** The statements of readMyRequests, built once per data source and shape (how many statuses, whether by cursor). */
const statements = new WeakMap<DataSource, Map<string, ReturnType<typeof buildStatements>>>()
function statementsFor(db: DataSource, statusCount: number, byCursor: boolean) {
  let forDb = statements.get(db)
  if (!forDb) statements.set(db, (forDb = new Map()))
  const key = `${statusCount}|${byCursor}`
  let made = forDb.get(key)
  if (!made) forDb.set(key, (made = buildStatements(db, statusCount, byCursor)))
  return made
}

function buildStatements(db: DataSource, statusCount: number, byCursor: boolean) {
  const cols = rawColumns(db, ServiceRequest, LIST_FIELDS)
  const me = rawColumns(db, Resident, CALLER_RESIDENT_FIELDS)
  const claimed = rawColumns(db, Staff, CALLER_STAFF_FIELDS)
  const byStatus = statusCount ? ` AND r.status IN (${Array.from({ length: statusCount }, () => '?').join(', ')})` : ''
  // Unfiltered, the total is the resident's row in resident_request_counts (kept by triggers); by status, counted
  // on the resident's reporter rows joined to their requests. (NULL, for a resident without a count row: counted.)
  const countSql = `SELECT COUNT(*) AS n FROM request_reporters rr${statusCount ? ` JOIN ${cols.table} r ON r.id = rr.request_id` : ''} WHERE rr.resident_id = ?${byStatus}`
  const totalSql = statusCount ? countSql : 'SELECT n FROM resident_request_counts WHERE resident_id = ?'
  const pageSql = `SELECT ${cols.select('r', 'r_')}, s.name AS assignee_name, c.config_version AS community_version, (${totalSql}) AS total,`
    + ` ${me.select('me', 'me_')}, ${claimed.select('ms', 'ms_')}`
    + ` FROM request_reporters rr JOIN ${cols.table} r ON r.id = rr.request_id`
    + ' LEFT JOIN staff s ON s.id = r.assignee_staff_id LEFT JOIN communities c ON c.id = r.community_id'
    + ` JOIN ${me.table} me ON me.id = rr.resident_id LEFT JOIN ${claimed.table} ms ON ms.id = ?`
    + ` WHERE rr.resident_id = ?${byStatus}${byCursor ? ' AND rr.request_id < ?' : ''}`
    + ' ORDER BY rr.request_id DESC LIMIT ? OFFSET ?'
  return { me, claimed, pageSql, totalSql, countSql }
}

/** The page's requests, each with its assignee's name and its community's settings. */
export async function hydrateMyRequests(db: DataSource, page: MyRequestsRows): Promise<ListedRequestRow[]> {
  const { at, rows } = page
  const requests = rawColumns(db, ServiceRequest, LIST_FIELDS).hydrateAll(rows, at, 'r_')
  const assigneeAt = at.get('assignee_name')!
  const versionAt = at.get('community_version')!
  const settings = await settingsOf(db, new Map(rows.map((row, i) => [requests[i]!.communityId, Number(row[versionAt])])))
  return rows.map((row, i) => ({ request: requests[i]!, assigneeName: (row[assigneeAt] as string | null) ?? null, settings: settings.get(requests[i]!.communityId) }))
}
