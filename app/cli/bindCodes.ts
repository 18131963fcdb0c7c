import type { IssuedCode } from '../../src/people/staffIdentity.js'
import { formatLocalIso } from '../../src/time.js'

/** The codes a CLI just issued, one line each, for the 书记 to hand out in person; expiry on the community's clock. */
export function printBindCodes(codes: Pick<IssuedCode, 'name' | 'wechat' | 'code' | 'expiresAt'>[], timeZone: string, who = 'staff member'): void {
  if (!codes.length) return
  console.log(`one-time 认证 codes (each ${who} sends 「认证 <code>」 to the bot in private chat):`)
  for (const c of codes) console.log(`  ${c.name} (${c.wechat}): ${c.code}  valid until ${formatLocalIso(c.expiresAt, timeZone)} (${timeZone})`)
}

/** Why no code was printed for some: they hold one from an earlier run, shown only then (codes are kept hashed). */
export function printLiveCodesKept(count: number, who = 'staff member'): void {
  if (!count) return
  console.log(`${count} unbound ${who}${count === 1 ? '' : 's'} still hold${count === 1 ? 's' : ''} an unexpired code printed by an earlier run (codes are stored hashed and cannot be shown again); run with --new-codes to issue new ones for all of them (earlier codes stop working)`)
}
