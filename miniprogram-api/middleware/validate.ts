import type { Context, Next } from 'koa'
import { z } from 'zod'

/**
 * validate(schema): parses { body, query, params } with zod and puts the typed result on ctx.state.input.
 * A ZodError becomes a 400 `validation_failed` in the error handler.
 */
export function validate<S extends z.ZodType>(schema: S) {
  return async (ctx: Context, next: Next) => {
    const input = {
      body: (ctx.request as { body?: unknown }).body ?? {},
      query: ctx.query,
      params: (ctx as { params?: unknown }).params ?? {},
    }
    // Synchronous unless the schema has async refinements: a parse on every call, so no promise per check.
    try {
      ctx.state.input = schema.parse(input)
    } catch (e) {
      if (!(e instanceof z.core.$ZodAsyncError)) throw e
      ctx.state.input = await schema.parseAsync(input)
    }
    await next()
  }
}

export const inputOf = <S extends z.ZodType>(ctx: Context, _schema: S) => ctx.state.input as z.infer<S>
