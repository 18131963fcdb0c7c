import { Initial1763800000000 } from './1763800000000-Initial.js'
import { ConsoleLogin1765300000000 } from './1765300000000-ConsoleLogin.js'

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [Initial1763800000000, ConsoleLogin1765300000000]
