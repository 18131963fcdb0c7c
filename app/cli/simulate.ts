// npm run --silent simulate -- scenario.json
//
// Runs a scenario through the real bot (on wechaty-puppet-mock), the real database, intake and scheduled
// jobs on a virtual clock. stdout: one JSON line per message the bot sends, in order
//   {"at","type":"room","room","text"} | {"at","type":"dm","to","text"}
// then {"type":"state","requests":[…]}. Logs go to stderr (LOG_LEVEL, default warn).
// Exit codes: 0 ok, 2 bad scenario or community file, 1 anything else.
import { loadScenario, ScenarioError } from '../sim/scenario.js'
import { exitQuietlyWhenStdoutCloses, flushStdout, openSimulationEnvironment, stderrLogger } from '../sim/setup.js'

const USAGE = 'usage: npm run --silent simulate -- scenario.json'

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => a !== '--')
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (args.length !== 1) {
    process.stderr.write(`simulate: expected one scenario file\n${USAGE}\n`)
    return 2
  }
  let scenario
  try {
    scenario = loadScenario(args[0]!)
  } catch (e) {
    if (e instanceof ScenarioError) { process.stderr.write(`simulate: ${e.message}\n`); return 2 }
    throw e
  }
  // Loaded after the scenario is known to be valid: a bad file gets its answer without loading Wechaty.
  const [{ Simulation }, { CommunityFileError }] = await Promise.all([import('../sim/simulation.js'), import('../../src/community/import.js')])
  const logger = stderrLogger()
  const { config, db, databaseLabel } = await openSimulationEnvironment()
  logger.info({ database: databaseLabel, scenario: scenario.file }, 'simulation starting')
  let sim: import('../sim/simulation.js').Simulation | null = null
  try {
    sim = await Simulation.create({
      db, config, logger, start: scenario.start, communityFile: scenario.community,
      onOutput: (line) => { process.stdout.write(`${JSON.stringify(line)}\n`) },
    })
    await sim.run(scenario)
    process.stdout.write(`${JSON.stringify(await sim.state())}\n`)
    return 0
  } catch (e) {
    if (e instanceof ScenarioError) { process.stderr.write(`simulate: ${e.message}\n`); return 2 }
    if (e instanceof CommunityFileError) { process.stderr.write(`simulate: ${scenario.file}: community: ${e.message}\n`); return 2 }
    throw e
  } finally {
    await sim?.close().catch(() => undefined)
    await db.destroy().catch(() => undefined)
  }
}

exitQuietlyWhenStdoutCloses()
main()
  .then(async (code) => { await flushStdout(); process.exit(code) })
  .catch(async (err) => {
    process.stderr.write(`simulate: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
    await flushStdout()
    process.exit(1)
  })
