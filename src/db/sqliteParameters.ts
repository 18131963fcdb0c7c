import type { DataSource } from 'typeorm'

type Escape = (sql: string, parameters: Record<string, unknown>, nativeParameters: Record<string, unknown>) => [string, unknown[]]

/**
 * TypeORM's SQLite drivers write every number parameter into the SQL text (`WHERE "id" = 4711`), so each
 * message's ids make new statement texts: better-sqlite3 prepares them anew, TypeORM's 100-statement cache
 * churns, and each evicted statement's compiled program (a few KB in SQLite's malloc, invisible to V8) lives
 * until a full GC finds it, so RSS grew ~27 KB per ingested message. Here number parameters are bound
 * instead, so a query has one text whatever its ids: integers as BigInt (bound as INTEGER, exactly what the
 * literal meant), other numbers as they are (REAL, as a decimal literal is).
 */
export function bindSqliteNumbers(ds: DataSource): void {
  const driver = ds.driver as unknown as { escapeQueryWithParameters: Escape }
  const escape = driver.escapeQueryWithParameters.bind(driver)
  driver.escapeQueryWithParameters = (sql, parameters, nativeParameters) => {
    if (!parameters) return escape(sql, parameters, nativeParameters)
    let numbers: Record<string, unknown> | null = null
    for (const key of Object.keys(parameters)) {
      const value = parameters[key]
      if (typeof value !== 'number' || !Number.isFinite(value)) continue
      numbers ??= { ...parameters }
      numbers[key] = Number.isSafeInteger(value) ? BigInt(value) : new FiniteNumber(value)
    }
    if (!numbers) return escape(sql, parameters, nativeParameters)
    const [text, bound] = escape(sql, numbers, nativeParameters)
    return [text, bound.map((v) => (v instanceof FiniteNumber ? v.value : v))]
  }
}

/** A float parameter in disguise, so that TypeORM binds it rather than inlining it; unwrapped before binding. */
class FiniteNumber {
  constructor(readonly value: number) {}
}
