/**
 * Typed domain errors. `code` is precise English for logs and API clients;
 * `message` is Chinese for residents and staff.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message)
    this.name = new.target.name
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('validation_failed', message, 400, details)
  }
}
/** The one not-found text: "没有找到问题 #3，请核对编号。" (a number is always set off by spaces). */
export const notFoundText = (what: string) => `没有找到${what.trim()}${/\d$/.test(what.trim()) ? `，请核对${what.startsWith('工单') ? '工单号' : '编号'}` : ''}。`

export class NotFoundError extends DomainError {
  /** `what` names the thing, with its number if any ("工单 12", "问题 #3"); the message is the one not-found text. */
  constructor(what: string, code = 'not_found', message = notFoundText(what)) {
    super(code, message, 404)
  }
}
export class ForbiddenError extends DomainError {
  constructor(message = '没有权限执行此操作', code = 'forbidden') {
    super(code, message, 403)
  }
}
export class UnauthorizedError extends DomainError {
  constructor(message = '请先登录', code = 'unauthorized') {
    super(code, message, 401)
  }
}
/** Lost a race or the state moved on: the action is not allowed from the current status. */
export class ConflictError extends DomainError {
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, 409, details)
  }
}
