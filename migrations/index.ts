import { ChatPrompts1765100000000 } from './1765100000000-ChatPrompts.js'
import { Initial1763800000000 } from './1763800000000-Initial.js'

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [Initial1763800000000, ChatPrompts1765100000000]
