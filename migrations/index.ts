import { ChatPrompts1765100000000 } from './1765100000000-ChatPrompts.js'
import { Initial1763800000000 } from './1763800000000-Initial.js'
import { Corrections1764900000000 } from './1764900000000-Corrections.js'
import { Reliability1765000000000 } from './1765000000000-Reliability.js'
import { ResolutionOutcome1765150000000 } from './1765150000000-ResolutionOutcome.js'
import { ListIndexes1765200000000 } from './1765200000000-ListIndexes.js'
import { SharedLimits1765200000001 } from './1765200000001-SharedLimits.js'
import { ConsoleLogin1765300000000 } from './1765300000000-ConsoleLogin.js'
import { CareRoster1765400000000 } from './1765400000000-CareRoster.js'
import { ConfigVersion1765500000000 } from './1765500000000-ConfigVersion.js'
import { StatsRollups1765700000000 } from './1765700000000-StatsRollups.js'
import { Volunteers1765800000000 } from './1765800000000-Volunteers.js'
import { IntakeLocks1766000000000 } from './1766000000000-IntakeLocks.js'
import { ReporterCounts1766100000000 } from './1766100000000-ReporterCounts.js'
import { MergeIndex1766200000000 } from './1766200000000-MergeIndex.js'

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [Initial1763800000000, Corrections1764900000000, Reliability1765000000000, ChatPrompts1765100000000, ResolutionOutcome1765150000000, ListIndexes1765200000000, SharedLimits1765200000001, ConsoleLogin1765300000000, CareRoster1765400000000, ConfigVersion1765500000000, StatsRollups1765700000000, Volunteers1765800000000, IntakeLocks1766000000000, ReporterCounts1766100000000, MergeIndex1766200000000]
