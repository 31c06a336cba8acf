/** Shared helpers for every scenario: timing samples, percentiles, result rows and plain-text formatting. */

/**
 * Summarise samples as percentiles (nearest rank).
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

/**
 * One row of a result table: a contender's samples summarised.
 *
 * `unit` is what the samples are in (`'ms'` for times, `'MiB'` for memory); `per` is how many items one sample
 * covers (calls, messages, actors), from which the report derives the throughput as `per / mean` per second;
 * `baseline` is the id of the row in the same table that the p50 ratio is taken against.
 * @param {string} id
 * @param {string} label
 * @param {readonly number[]} samples
 * @param {{ unit?: 'ms' | 'MiB', per?: number, baseline?: string, throughput?: number, note?: string }} [options]
 */
export function row(id, label, samples, options = {}) {
  const { unit = 'ms', per, baseline, throughput, note } = options
  const summary = summarize(samples)
  const rate = throughput ?? (unit === 'ms' && per !== undefined && summary.mean > 0 ? (per * 1000) / summary.mean : undefined)
  return {
    id,
    label,
    unit,
    ...summary,
    ...(per === undefined ? {} : { per }),
    ...(rate === undefined ? {} : { throughput: rate }),
    ...(baseline ? { baseline } : {}),
    ...(note ? { note } : {}),
  }
}

/** Format a duration in ms with a unit that keeps three significant figures. */
export function ms(value) {
  if (!Number.isFinite(value)) return '-'
  if (value < 1) return `${(value * 1000).toFixed(1)} µs`
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`
  return `${value.toFixed(2)} ms`
}

/** Format a value in the unit of its row. */
export function quantity(value, unit) {
  if (unit === 'MiB') return Number.isFinite(value) ? `${value.toFixed(1)} MiB` : '-'
  return ms(value)
}

/** Format a rate per second: `1.23M/s`, `45.6k/s`, `789/s`. */
export function rate(value) {
  if (value === undefined || !Number.isFinite(value)) return '-'
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M/s`
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k/s`
  if (value >= 100) return `${value.toFixed(0)}/s`
  return `${value.toFixed(1)}/s`
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

/**
 * The median of each sample's ratio to the baseline's sample of the same iteration (of {@link rotatingSamples}): the
 * VM's speed drifts between iterations, not within one, so this moves less than the ratio of the medians.
 * @param {readonly number[]} samples
 * @param {readonly number[]} baseline
 */
export function pairedRatio(samples, baseline) {
  return summarize(samples.map((time, i) => time / (baseline[i] ?? Number.NaN))).p50
}

/**
 * One sample of each contender per iteration, in an order that rotates, so that all see the same machine; the first
 * `warmup` iterations are not kept. Resolves with each contender's samples (ms) by id.
 * @param {{ id: string, once: () => Promise<number> }[]} contenders
 * @param {{ runs: number, warmup: number }} options
 */
export async function rotatingSamples(contenders, { runs, warmup }) {
  const samples = Object.fromEntries(contenders.map((c) => [c.id, []]))
  for (let i = 0; i < warmup + runs; i++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(i + k) % contenders.length]
      await sleep(10)
      const elapsed = await contender.once()
      if (i >= warmup) samples[contender.id].push(elapsed)
    }
  }
  return samples
}

/** Run the garbage collector between scenarios when node was started with --expose-gc. */
export function settle(ms = 50) {
  globalThis.gc?.()
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Resolve after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
