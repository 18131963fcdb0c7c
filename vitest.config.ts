import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // MySQL-backed suites share one database: run files one after another.
    fileParallelism: false,
    pool: 'forks',
    // Wechaty's own log (brolog) says nothing in the tests unless asked: the suites start bots on an uninstalled or
    // mock puppet on purpose, and its ERR/WARN lines read like failures. WECHATY_LOG=verbose brings them back.
    env: { WECHATY_LOG: process.env.WECHATY_LOG ?? 'silent' },
  },
})
