import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm'

/**
 * `UPDATE … SET … WHERE id = ?` for one row, in hand-written SQL with bound parameters through the caller's
 * transaction: values go through the driver's own conversion (dates, simple-json), as em.update's would, at a
 * fraction of the query builder's cost. No entity subscribers run, so only for tables none watches (see
 * insertRows.ts). Returns the rows changed.
 */
export async function updateRow<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, id: number, values: Partial<T>): Promise<number> {
  const meta = em.connection.getMetadata(target)
  const driver = em.connection.driver
  const sets: string[] = []
  const params: unknown[] = []
  for (const [prop, value] of Object.entries(values)) {
    if (value === undefined) continue
    const column = meta.findColumnWithPropertyName(prop)
    if (!column) throw new Error(`updateRow: ${meta.name} has no column for property "${prop}"`)
    sets.push(`${driver.escape(column.databaseName)} = ?`)
    const v = driver.preparePersistentValue(value, column)
    params.push(typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v)
  }
  if (!sets.length) return 0
  const idColumn = meta.primaryColumns[0]!
  const qr = em.queryRunner ?? em.connection.createQueryRunner()
  try {
    const r = await qr.query(`UPDATE ${driver.escape(meta.tableName)} SET ${sets.join(', ')} WHERE ${driver.escape(idColumn.databaseName)} = ?`, [...params, id], true)
    return Number(r.affected ?? 0)
  } finally {
    if (!em.queryRunner) await qr.release()
  }
}
