import type { DataSource } from 'typeorm'

/** The statements sent on MySQL connections from TypeORM's pool (raw ones included), by wrapping what hands them out. */
export function recordMysqlStatements(db: DataSource): { sql: string[] } {
  const driver = db.driver as unknown as { obtainMasterConnection(): Promise<{ query: (...a: unknown[]) => unknown }> }
  const original = driver.obtainMasterConnection.bind(driver)
  const seen = { sql: [] as string[] }
  const wrapped = new WeakSet<object>()
  driver.obtainMasterConnection = async () => {
    const connection = await original()
    if (!wrapped.has(connection)) {
      wrapped.add(connection)
      const query = connection.query.bind(connection)
      connection.query = (...a: unknown[]) => {
        const first = a[0] as string | { sql: string }
        seen.sql.push(typeof first === 'string' ? first : first.sql)
        return query(...a)
      }
    }
    return connection
  }
  return seen
}
