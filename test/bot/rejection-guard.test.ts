import { describe, expect, it } from 'vitest'
import { isPuppetRejection } from '../../bot/runtime.js'

const withStack = (frames: string[]) => {
  const err = new TypeError("Cannot read properties of undefined (reading 'start')")
  err.stack = [`TypeError: ${err.message}`, ...frames.map((f) => `    at ${f}`)].join('\n')
  return err
}

describe('isPuppetRejection: which unawaited rejections are the WeChat puppet failing on its own', () => {
  it('a TypeError thrown inside wechaty-puppet-wechat4u or wechat4u (no network)', () => {
    expect(isPuppetRejection(withStack(['Wechat.<anonymous> (/srv/jiesu/node_modules/wechaty-puppet-wechat4u/src/puppet-wechat4u.ts:365:21)', 'Wechat.emit (node:events:519:28)']))).toBe(true)
    expect(isPuppetRejection(withStack(['Wechat.checkPolling (C:\\jiesu\\node_modules\\wechat4u\\src\\wechat.js:120:10)']))).toBe(true)
  })
  it('not jiesu\'s own code, a library called from it deeper down, or a value with no stack', () => {
    expect(isPuppetRejection(withStack(['handleRoom (/srv/jiesu/bot/group.ts:40:11)', 'InboxProcessor.receive (/srv/jiesu/bot/processor.ts:80:5)']))).toBe(false)
    expect(isPuppetRejection(withStack(['a (/srv/jiesu/src/x.ts:1:1)', 'b (/srv/jiesu/src/y.ts:1:1)', 'c (/srv/jiesu/src/z.ts:1:1)', 'd (/srv/jiesu/node_modules/wechaty/dist/esm/src/x.js:1:1)']))).toBe(false)
    expect(isPuppetRejection(withStack(['Query.execute (/srv/jiesu/node_modules/mysql2/lib/commands/query.js:10:1)']))).toBe(false)
    expect(isPuppetRejection('ECONNRESET')).toBe(false)
    expect(isPuppetRejection(undefined)).toBe(false)
  })
})
