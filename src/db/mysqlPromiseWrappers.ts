import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/**
 * TypeORM's MySQL query runner calls `connection.promise()` for every statement, and mysql2 answers each call
 * with a new wrapper found through `require` (slow under tsx's loader hooks: about 5% of a POST's CPU). The
 * wrapper holds nothing but its connection, so one per pooled connection serves every statement on it.
 */
const require = createRequire(import.meta.url)
// mysql2's package exports hide lib/; the file is reached by its path beside the package's entry point.
const PoolConnection = require(join(dirname(require.resolve('mysql2')), 'lib', 'pool_connection.js')) as {
  prototype: { promise(impl?: PromiseConstructor): unknown }
}
const wrapperOf = new WeakMap<object, unknown>()
const makeWrapper = PoolConnection.prototype.promise

PoolConnection.prototype.promise = function promise(this: object, impl?: PromiseConstructor) {
  if (impl) return makeWrapper.call(this, impl)
  let wrapper = wrapperOf.get(this)
  if (!wrapper) wrapperOf.set(this, (wrapper = makeWrapper.call(this)))
  return wrapper
}
