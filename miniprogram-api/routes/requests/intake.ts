import { randomUUID } from 'node:crypto'
import type { Context } from 'koa'
import { DomainError } from '../../../src/errors.js'
import { idempotencyKey } from './schema.js'

/** Intake said "this is chatter" and the resident chose no category: ask them to describe the problem. */
export class NotARequestError extends DomainError {
  constructor() {
    super('not_a_request', '没有识别出需要处理的问题。请具体描述一下遇到了什么问题、在哪里（例如：3号楼2单元楼道灯坏了），或选择问题类型后再提交。', 422)
  }
}

/** The Idempotency-Key header, validated; a random one when absent (each submission is then its own message). */
export function idempotencyKeyOf(ctx: Context): string {
  const raw = ctx.get('idempotency-key')
  if (!raw) return `auto-${randomUUID()}`
  const parsed = idempotencyKey.safeParse(raw)
  if (!parsed.success) throw new DomainError('validation_failed', 'Idempotency-Key 格式有误', 400, { header: 'Idempotency-Key' })
  return parsed.data
}

