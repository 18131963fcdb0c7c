import { expect, it } from 'vitest'
import { TokenService } from '../../miniprogram-api/auth/tokens.js'
import { VirtualClock } from '../../src/clock.js'
import { T0 } from '../helpers/fixtures.js'

const service = (clock: VirtualClock) => new TokenService({ secret: 'tokens-test-secret-0123456789abcdef-0123', ttl: '2h', refreshTtl: '30d', clock })
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code)

it('a token verified once is remembered, but still expires on the clock and is still only good for its kind', async () => {
  const clock = new VirtualClock(T0)
  const tokens = service(clock)
  const { token, refreshToken } = await tokens.issue({ residentId: 7, staffId: 3 })
  expect(await tokens.verify(token, 'access')).toEqual({ residentId: 7, staffId: 3 })
  // remembered now: the kind is still checked, both ways
  expect(await codeOf(tokens.verify(token, 'refresh'))).toBe('invalid_token')
  expect(await codeOf(tokens.verify(refreshToken, 'refresh'))).toBe('ok')
  expect(await codeOf(tokens.verify(refreshToken, 'access'))).toBe('invalid_token')
  expect(await tokens.peek(refreshToken)).toBeNull()
  // what a caller does with the claims does not change what the next call gets
  const claims = await tokens.verify(token, 'access')
  claims.staffId = null
  expect((await tokens.verify(token, 'access')).staffId).toBe(3)
  // expiry, with the same 5 s tolerance jose applies on the first check
  clock.advance(2 * 3600_000 + 4_000)
  expect(await codeOf(tokens.verify(token, 'access'))).toBe('ok')
  clock.advance(1_000)
  expect(await codeOf(tokens.verify(token, 'access'))).toBe('token_expired')
  expect(await tokens.peek(token)).toBeNull()
  expect(await codeOf(tokens.verify(refreshToken, 'refresh'))).toBe('ok')
})

it('a token is accepted only by the service whose secret signed it, cached or not, and a tampered copy is refused', async () => {
  const clock = new VirtualClock(T0)
  const ours = service(clock)
  const theirs = new TokenService({ secret: 'another-secret-entirely-0123456789abcdef', ttl: '2h', refreshTtl: '30d', clock })
  const { token } = await ours.issue({ residentId: 1, staffId: null })
  expect(await codeOf(ours.verify(token, 'access'))).toBe('ok')
  expect(await codeOf(theirs.verify(token, 'access'))).toBe('invalid_token')
  const [h, p, s] = token.split('.')
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: '2' })).toString('base64url')}.${s}`
  expect(await codeOf(ours.verify(forged, 'access'))).toBe('invalid_token')
})
