#!/usr/bin/env node
// Some registries (mirrors) serve only the native packages for the platforms they host, so npm leaves the
// other platforms' optional binaries (@swc/core-darwin-x64, …) out of package-lock.json, and `npm ci` then
// refuses the lock file as out of sync. This adds a platform-tagged stub entry for each missing optional
// binary; npm skips them on non-matching platforms without fetching. Run after changing dependencies:
//   node scripts/lockfile-platform-stubs.mjs
import { readFileSync, writeFileSync } from 'node:fs'

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'))
const platform = (name) => {
  const os = ['darwin', 'win32', 'linux', 'android', 'freebsd'].find((o) => name.includes(`-${o}-`) || name.endsWith(`-${o}`)) ?? 'unknown'
  const cpu = ['arm64', 'x64', 'ia32', 'ppc64', 's390x', 'arm'].find((c) => name.includes(`-${c}`)) ?? 'unknown'
  const libc = name.includes('-musl') ? ['musl'] : name.includes('-gnu') && os === 'linux' ? ['glibc'] : undefined
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) }
}
let added = 0
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`
    if (lock.packages[key] || lock.packages[`${path}/node_modules/${dep}`]) continue
    lock.packages[key] = { version, optional: true, ...platform(dep) }
    added++
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))))
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`)
console.log(`added ${added} platform stub(s)`)
