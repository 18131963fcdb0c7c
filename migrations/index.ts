import { Initial1763800000000 } from './1763800000000-Initial.js'
import { CareRoster1765400000000 } from './1765400000000-CareRoster.js'

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [Initial1763800000000, CareRoster1765400000000]
