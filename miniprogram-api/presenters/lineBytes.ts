/**
 * CSV lines encoded as UTF-8 one by one into one growing buffer. Concatenating a day's lines into one string and
 * encoding it at the end cost as much as formatting them (V8 flattens a rope of ~70,000 pieces first); each line
 * encoded as it is written costs a fifth of that. The bytes are what TextEncoder gives for the joined text (a lone
 * surrogate becomes U+FFFD in both).
 */
export class LineBytes {
  private static readonly encoder = new TextEncoder()
  private buffer: Uint8Array
  private size = 0

  constructor(capacity = 64 * 1024) {
    this.buffer = new Uint8Array(capacity)
  }

  /** the line, then CRLF */
  push(line: string): void {
    // a UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4)
    const room = line.length * 3 + 2
    if (this.size + room > this.buffer.length) this.grow(this.size + room)
    this.size += LineBytes.encoder.encodeInto(line, this.buffer.subarray(this.size)).written
    this.buffer[this.size++] = 13
    this.buffer[this.size++] = 10
  }

  /** What was written, over the buffer itself (transferable); the writer starts afresh. */
  take(): Uint8Array {
    const bytes = this.buffer.subarray(0, this.size)
    this.buffer = new Uint8Array(Math.max(64 * 1024, this.size + (this.size >> 2)))
    this.size = 0
    return bytes
  }

  private grow(needed: number): void {
    const next = new Uint8Array(Math.max(needed, this.buffer.length * 2))
    next.set(this.buffer.subarray(0, this.size))
    this.buffer = next
  }
}
