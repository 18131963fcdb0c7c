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
export class NotFoundError extends DomainError {
  constructor(what: string, code = 'not_found') {
    super(code, `${what}不存在`, 404)
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
