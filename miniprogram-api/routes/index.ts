import type Router from '@koa/router'
import { authRoutes } from '../auth/routes.js'
import { consoleRoutes } from '../console/routes.js'
import { caseRoutes } from './cases/index.js'
import type { ApiDeps } from '../deps.js'
import { meRoutes } from './me/index.js'
import { open311Routes } from './open311/index.js'
import { photoRoutes } from './photos/index.js'
import { requestRoutes } from './requests/index.js'
import { secretaryRoutes } from './secretary/index.js'
import { taskRoutes } from './tasks/index.js'

/** A group of routes. Handlers reach the API's dependencies through ctx.state.deps (or the deps given here). */
export type ApiModule = (router: Router, deps: ApiDeps) => void

/** Every route group the API serves, in mounting order. Add new groups here. */
export const API_MODULES: ApiModule[] = [
  authRoutes,
  meRoutes,
  requestRoutes,
  caseRoutes,
  photoRoutes,
  taskRoutes,
  secretaryRoutes,
  open311Routes,
  consoleRoutes,
]

/**
 * Routes that read their own request body when it is not JSON or a url-encoded form (the body parser
 * leaves these alone): photo uploads (multipart), the community file re-import (text/yaml) and Open311.
 */
export const RAW_BODY_ROUTES = ['/api/photos', '/api/admin/import']
export const readsOwnBody = (path: string) => RAW_BODY_ROUTES.includes(path) || path.startsWith('/open311/')
