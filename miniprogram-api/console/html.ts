// A tiny escaping template: html`<p>${text}</p>` escapes every value; raw() and nested html`` pass through.

export class Html {
  constructor(readonly value: string) {}
  toString() { return this.value }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

type Value = Html | string | number | boolean | null | undefined | Value[]

function render(v: Value): string {
  if (v == null || v === false) return ''
  if (Array.isArray(v)) return v.map(render).join('')
  if (v instanceof Html) return v.value
  return escape(String(v))
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!
  values.forEach((v, i) => { out += render(v) + strings[i + 1]! })
  return new Html(out)
}

/** Trusted markup (our own, never user input). */
export const raw = (s: string) => new Html(s)

/** JSON for a <script type="application/json"> block: `<` is escaped so no text can close the tag. */
export const jsonScript = (id: string, data: unknown) =>
  raw(`<script type="application/json" id="${escape(id)}">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`)
