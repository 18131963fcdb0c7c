import type Router from '@koa/router'
import type { AppContext } from '../../../src/context.js'
import { adminRoutes } from './admin.js'
import { registerSecretaryDocs } from './docs.js'
import { reportRoutes } from './reports.js'
import { volunteerRoutes } from './volunteers.js'

/**
 * The 书记's endpoints: dashboard, digests (JSON and the HTML page), triage queue, CSV export,
 * management of grids/buildings/staff/rooms and the YAML re-import. All require the secretary role
 * and act only inside the secretary's community.
 */
export function secretaryRoutes(router: Router, app: AppContext) {
  reportRoutes(router, app)
  adminRoutes(router, app)
  volunteerRoutes(router, app)
  registerSecretaryDocs()
}
