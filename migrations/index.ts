import { Initial1763800000000 } from './1763800000000-Initial.js'
import { Corrections1764900000000 } from './1764900000000-Corrections.js'

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [Initial1763800000000, Corrections1764900000000]
