import { Initial1763800000000 } from './1763800000000-Initial.js'
import { Corrections1764900000000 } from './1764900000000-Corrections.js'
import { Reliability1765000000000 } from './1765000000000-Reliability.js'
import { ListIndexes1765200000000 } from './1765200000000-ListIndexes.js'

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [Initial1763800000000, Corrections1764900000000, Reliability1765000000000, ListIndexes1765200000000]
