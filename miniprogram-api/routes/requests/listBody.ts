import type { DataSource } from 'typeorm'
import { slaColor } from '../../../src/jobs/sla.js'
import { LeastRecentlyUsed } from '../../../src/lru.js'
import { presentRequest } from '../../presenters/request.js'
import { hydrateMyRequests, type ListedRequestRow, type MyRequestsQuery, type MyRequestsRows } from './list.js'

interface Presented { rows: unknown[][]; total: number; listed: ListedRequestRow[]; colours: string[]; json: string }

/** Pages kept per process: a page's JSON is a few KB. */
const PAGES = 500
const presented = new WeakMap<DataSource, LeastRecentlyUsed<string, Presented>>()

const keyOf = (q: MyRequestsQuery) => `${q.caller.residentId}|${q.statuses?.join(',') ?? ''}|${q.cursor ?? ''}|${q.page}|${q.pageSize}`

function sameRows(a: unknown[][], b: unknown[][]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!
    if (x.length !== y.length) return false
    for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false
  }
  return true
}

/**
 * GET /api/requests's JSON for a page as readMyRequests read it. What it presents follows from the page's rows (as
 * the database sent them: DATETIMEs as text), the query and the viewer, except the SLA colours, which move with the
 * clock. So a page whose rows equal, value by value, those it was last presented from for the same query and viewer,
 * and whose every colour is still the one presented then, is answered with the JSON presented then: no hydration,
 * presentation or JSON.stringify. Exact, not a time-to-live: any changed value or colour presents the page afresh.
 * The last PAGES pages per process, least recently used out first.
 */
export async function myRequestsJson(db: DataSource, query: MyRequestsQuery, page: MyRequestsRows, now: Date): Promise<string> {
  let pages = presented.get(db)
  if (!pages) presented.set(db, (pages = new LeastRecentlyUsed(PAGES)))
  const key = keyOf(query)
  const last = pages.get(key)
  if (last && last.total === page.total && sameRows(last.rows, page.rows)
    && last.listed.every(({ request, settings }, i) => slaColor(request, now, settings) === last.colours[i])) return last.json
  const listed = await hydrateMyRequests(db, page)
  const items = listed.map(({ request, assigneeName, settings }) => presentRequest(request, {
    assignee: assigneeName == null ? null : { name: assigneeName }, settings, now, maskText: request.reporterResidentId !== query.caller.residentId,
  }))
  const json = JSON.stringify({
    items,
    page: query.cursor ? 1 : query.page, pageSize: query.pageSize, total: page.total,
    nextCursor: listed.length === query.pageSize ? listed[listed.length - 1]!.request.id : null,
  })
  pages.set(key, { rows: page.rows, total: page.total, listed, colours: items.map((x) => x.slaColor), json })
  return json
}
