import type { DataSource } from 'typeorm'

/**
 * Counts the statements (not BEGIN/COMMIT) and transactions the database is sent, through TypeORM's logger hook,
 * which its query runners and the raw statements of src/db/rawRows.ts both call (test/helpers/mysqlStatements.ts
 * records what MySQL connections are sent, to check that none is missed).
 */
export function countStatements(db: DataSource) {
  const seen = { statements: [] as string[], transactions: 0 }
  const logger = db.logger
  const original = logger.logQuery.bind(logger)
  logger.logQuery = (query, parameters, queryRunner) => {
    if (/^(BEGIN|START TRANSACTION)/i.test(query)) seen.transactions++
    else if (!/^(COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(query)) seen.statements.push(query)
    return original(query, parameters, queryRunner)
  }
  return { reset: () => { seen.statements = []; seen.transactions = 0 }, seen }
}

/**
 * The statements MySQL connections were sent (recordMysqlStatements) that the logger hook did not count, in order;
 * BEGIN/COMMIT aside. (That recorder sees only connections handed out after it was installed: it may see fewer.)
 */
export function uncounted(counted: string[], sent: string[]): string[] {
  let i = 0
  return sent.filter((q) => !/^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK)/i.test(q)).filter((q) => {
    const at = counted.indexOf(q, i)
    if (at < 0) return true
    i = at + 1
    return false
  })
}
