// The part of autocannon's API the bench uses (the package ships no types).
declare module 'autocannon' {
  interface Options { url: string; connections?: number; duration?: number; method?: string; body?: string; headers?: Record<string, string> }
  interface Result { '2xx': number; non2xx: number; errors: number; timeouts: number; requests: { total: number; average: number }; latency: { p99: number; average: number } }
  export default function autocannon(o: Options): Promise<Result>
}
