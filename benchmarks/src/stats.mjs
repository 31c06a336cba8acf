/** Shared helpers for every scenario: timing samples, percentiles and a plain-text table. */

/**
 * Summarise samples (in ms) as percentiles.
 * @param {readonly number[]} samples
 * @returns {{ n: number, p50: number, p90: number, p99: number, mean: number }}
 */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN
  const mean = sorted.reduce((sum, x) => sum + x, 0) / (sorted.length || 1)
  return { n: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), mean }
}

/**
 * Time `fn` `runs` times after `warmup` untimed runs; each sample is one call, in ms.
 * @param {() => Promise<unknown>} fn
 * @param {{ runs: number, warmup?: number }} options
 */
export async function sample(fn, { runs, warmup = 0 }) {
  for (let i = 0; i < warmup; i++) await fn()
  const samples = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await fn()
    samples.push(performance.now() - started)
  }
  return summarize(samples)
}

/** Format a duration in ms with a unit that keeps three significant figures. */
export function ms(value) {
  if (!Number.isFinite(value)) return '-'
  if (value < 1) return `${(value * 1000).toFixed(1)} µs`
  return `${value.toFixed(2)} ms`
}

/** Format `a / b` as a ratio such as `1.08x`. */
export function ratio(a, b) {
  return `${(a / b).toFixed(2)}x`
}

/**
 * A plain-text table with aligned columns.
 * @param {readonly string[]} header
 * @param {readonly (readonly string[])[]} rows
 */
export function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** Run the garbage collector between scenarios when node was started with --expose-gc. */
export function settle() {
  globalThis.gc?.()
  return new Promise((resolve) => setTimeout(resolve, 50))
}
