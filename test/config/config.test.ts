import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../src/config.js'

describe('parseConfig', () => {
  it('has working defaults: embedded SQLite under ./data and port 3000', () => {
    const c = parseConfig({})
    expect(c.DATABASE_URL).toBe('sqlite:./data/jiesu.db')
    expect(c.PORT).toBe(3000)
    expect(c.OPENAI_API_KEY).toBeUndefined()
  })

  it.each([
    ['PORT', 'abc', /PORT="abc"/],
    ['PORT', '70000', /PORT="70000"/],
    ['DATABASE_URL', 'postgres://x', /DATABASE_URL="postgres:\/\/x": .*sqlite:path\/to\/file\.db or mysql:/],
    ['TRIAGE_CONFIDENCE', '2', /TRIAGE_CONFIDENCE/],
    ['JWT_SECRET', 'short', /JWT_SECRET=.*at least 32 characters/],
    ['BOT_ENABLED', 'maybe', /BOT_ENABLED/],
  ])('a bad %s stops start-up naming the variable', (name, value, pattern) => {
    let err: unknown
    try { parseConfig({ [name]: value }) } catch (e) { err = e }
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as Error).message).toMatch(pattern)
  })

  it('empty values count as unset', () => {
    expect(parseConfig({ OPENAI_API_KEY: '', PORT: '' }).PORT).toBe(3000)
  })
})
