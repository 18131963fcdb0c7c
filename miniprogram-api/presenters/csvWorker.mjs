// Entry of the CSV export's worker threads: a worker thread does not get the parent's TypeScript loader (not from
// `tsx` as npm start runs, nor under vitest), so it registers tsx's own and then loads the TypeScript body.
import { register } from 'tsx/esm/api'

register()
await import('./csvWorker.ts')
