// Entry of the CSV export's worker threads: a worker thread does not get the parent's TypeScript loader (not from
// `tsx` as npm start runs, nor under vitest), so it registers tsx's own and then loads the TypeScript body: through
// tsx's require hook, which runs in this thread (its import hooks start a loader thread per worker: ~0.1 s more CPU).
import { createRequire } from 'node:module'
import { register } from 'tsx/cjs/api'

register()
createRequire(import.meta.url)('./csvWorker.ts')
