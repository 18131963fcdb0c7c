import type { IssuedCode } from '../../src/people/staffIdentity.js'

/** The codes a CLI just issued, one line each, for the 书记 to hand out in person. */
export function printBindCodes(codes: Pick<IssuedCode, 'name' | 'wechat' | 'code' | 'expiresAt'>[], who = 'staff member'): void {
  if (!codes.length) return
  console.log(`one-time 认证 codes (each ${who} sends 「认证 <code>」 to the bot in private chat):`)
  for (const c of codes) console.log(`  ${c.name} (${c.wechat}): ${c.code}  valid until ${c.expiresAt.toISOString()}`)
}
