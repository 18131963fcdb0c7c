// Downloads one URL in a process of its own, as a real client would (not on the server's event loop), counting
// bytes and lines: `BENCH_AUTHORIZATION='Bearer …' node bench/download.mjs <url>`. Prints {status, ms, bytes, lines}.
const url = process.argv[2]
const t = performance.now()
const r = await fetch(url, { headers: { authorization: process.env.BENCH_AUTHORIZATION ?? '' } })
let bytes = 0, lines = 0
for await (const chunk of r.body) {
  bytes += chunk.length
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++ // memchr, not a loop per byte
}
console.log(JSON.stringify({ status: r.status, ms: performance.now() - t, bytes, lines }))
