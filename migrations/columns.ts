import type { TableColumnOptions } from 'typeorm'

// Dialect-neutral column builders shared by the migrations (they must mean the same on MySQL and SQLite).
export const id = (): TableColumnOptions => ({ name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' })
export const int = (name: string, o: { nullable?: boolean; default?: number } = {}): TableColumnOptions => ({ name, type: 'int', isNullable: !!o.nullable, default: o.default })
export const str = (name: string, length: number, o: { nullable?: boolean; default?: string } = {}): TableColumnOptions => ({
  name, type: 'varchar', length: String(length), isNullable: !!o.nullable, default: o.default === undefined ? undefined : `'${o.default}'`,
})
export const text = (name: string, o: { nullable?: boolean } = {}): TableColumnOptions => ({ name, type: 'text', isNullable: !!o.nullable })
export const time = (name: string, o: { nullable?: boolean } = {}): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable: !!o.nullable })
export const bool = (name: string, def: boolean): TableColumnOptions => ({ name, type: 'boolean', isNullable: false, default: def ? 1 : 0 })
export const float = (name: string): TableColumnOptions => ({ name, type: 'float', isNullable: false })
