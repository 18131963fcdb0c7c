import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm'
import { boundValue, queryOn } from './insertRows.js'

/**
 * `UPDATE … SET … WHERE id = ?` for one row, in hand-written SQL with bound parameters through the caller's
 * transaction: values go through the driver's own conversion, as em.update's would, at a fraction of the query
 * builder's cost. No entity subscribers run, so only for tables none watches (see insertRows.ts). Returns the
 * rows changed.
 */
export async function updateRow<T extends ObjectLiteral>(em: EntityManager, target: EntityTarget<T>, id: number, values: Partial<T>): Promise<number> {
  const meta = em.connection.getMetadata(target)
  const escape = (name: string) => em.connection.driver.escape(name)
  const sets: string[] = []
  const params: unknown[] = []
  for (const [prop, value] of Object.entries(values)) {
    if (value === undefined) continue
    const column = meta.findColumnWithPropertyName(prop)
    if (!column) throw new Error(`updateRow: ${meta.name} has no column for property "${prop}"`)
    sets.push(`${escape(column.databaseName)} = ?`)
    params.push(boundValue(em, column, value))
  }
  if (!sets.length) return 0
  const r = await queryOn(em, `UPDATE ${escape(meta.tableName)} SET ${sets.join(', ')} WHERE ${escape(meta.primaryColumns[0]!.databaseName)} = ?`, [...params, id])
  return Number(r.affected ?? 0)
}
