// The start-up baseline: bare Koa + @koa/router under tsx, answering /healthz (bench/startup.ts times it).
import Router from '@koa/router'
import Koa from 'koa'

const app = new Koa()
const router = new Router()
router.get('/healthz', (ctx) => { ctx.body = { status: 'ok' } })
app.use(router.routes())
app.listen(Number(process.env.PORT), '127.0.0.1')
process.once('SIGTERM', () => process.exit(0))
