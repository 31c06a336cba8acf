/**
 * benchmarks/chart.svg: the run at a glance, hand-written SVG (no chart dependency). Three panels of horizontal
 * bars on log scales: p50 relative to the bare baseline (lower is better), throughput (higher is better), and
 * absolute times that have a target of their own. A target is a red tick on its bar; a bar that meets its target is
 * green, one that misses it is red, one without a target grey.
 */
import { ms, rate } from './stats.mjs'

const WIDTH = 980
const LABEL_W = 390
const PLOT_W = 440
const ROW_H = 20
const COLORS = { met: '#2e8540', missed: '#c62828', none: '#8a8f98', target: '#c62828', grid: '#e3e5e8', text: '#1f2328', muted: '#59636e' }

const esc = (s) => String(s).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

/**
 * @param {{ title: string, min: number, max: number, ticks: number[], tickLabel: (v: number) => string, higherIsBetter?: boolean,
 *   rows: { label: string, value: number | undefined, text: string, target?: number, group?: boolean }[] }} panel
 * @param {number} y0
 */
function panel({ title, min, max, ticks, tickLabel, higherIsBetter = false, rows }, y0) {
  const x0 = LABEL_W
  const scale = (v) => x0 + (PLOT_W * (Math.log(Math.min(max, Math.max(min, v))) - Math.log(min))) / (Math.log(max) - Math.log(min))
  const parts = [`<text x="12" y="${y0 + 16}" font-size="14" font-weight="600" fill="${COLORS.text}">${esc(title)}</text>`]
  let y = y0 + 28
  const top = y
  const bodyRows = []
  for (const r of rows) {
    if (r.group) {
      bodyRows.push(`<text x="12" y="${y + 14}" font-size="12" font-weight="600" fill="${COLORS.muted}">${esc(r.label)}</text>`)
      y += ROW_H
      continue
    }
    const ok = r.target === undefined || r.value === undefined ? undefined : higherIsBetter ? r.value >= r.target : r.value <= r.target
    const color = ok === undefined ? COLORS.none : ok ? COLORS.met : COLORS.missed
    bodyRows.push(`<text x="24" y="${y + 14}" font-size="12" fill="${COLORS.text}">${esc(r.label)}</text>`)
    if (r.value !== undefined && Number.isFinite(r.value)) {
      const w = Math.max(1, scale(r.value) - x0)
      bodyRows.push(`<rect x="${x0}" y="${y + 4}" width="${w.toFixed(1)}" height="${ROW_H - 8}" fill="${color}" rx="2"/>`)
      // The figure right of the bar, and right of the target's tick when that is further out.
      const after = Math.max(x0 + w, r.target === undefined ? 0 : scale(r.target) + 2)
      bodyRows.push(`<text x="${(after + 6).toFixed(1)}" y="${y + 14}" font-size="11" fill="${COLORS.text}">${esc(r.text)}</text>`)
    } else {
      bodyRows.push(`<text x="${x0 + 6}" y="${y + 14}" font-size="11" fill="${COLORS.muted}">not measured</text>`)
    }
    if (r.target !== undefined) {
      const tx = scale(r.target).toFixed(1)
      bodyRows.push(`<line x1="${tx}" x2="${tx}" y1="${y + 1}" y2="${y + ROW_H - 1}" stroke="${COLORS.target}" stroke-width="2"/>`)
    }
    y += ROW_H
  }
  for (const t of ticks) {
    const x = scale(t).toFixed(1)
    parts.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${y}" stroke="${COLORS.grid}"/>`)
    parts.push(`<text x="${x}" y="${y + 14}" font-size="10" text-anchor="middle" fill="${COLORS.muted}">${esc(tickLabel(t))}</text>`)
  }
  parts.push(...bodyRows)
  return { svg: parts.join('\n'), height: y + 24 - y0 }
}

/**
 * @param {{ results: Record<string, { cases: { rows?: any[] }[] }>, meta: { date: string, node: string, cpus: number, quick: boolean } }} input
 */
export function renderChart({ results, meta }) {
  const get = (s, id) => {
    for (const c of results[s]?.cases ?? []) {
      const found = c.rows?.find((r) => r.id === id)
      if (found) return found
    }
    return undefined
  }
  const rel = (s, id, base, label, target) => {
    const a = get(s, id)
    const b = get(s, base)
    const value = a && b ? a.p50 / b.p50 : undefined
    return { label, value, text: value === undefined ? '' : `${value.toFixed(2)}x (${ms(a.p50)})${target ? `  target ≤ ${target}x` : ''}`, target }
  }
  const thr = (s, id, label, target, targetText) => {
    const a = get(s, id)
    return { label, value: a?.throughput, text: a ? `${rate(a.throughput)}${targetText ? `  ${targetText}` : ''}` : '', target }
  }
  const abs = (s, id, label, target, pick = 'p50') => {
    const a = get(s, id)
    return { label, value: a?.[pick], text: a ? `${ms(a[pick])}${target ? `  target ≤ ${ms(target)}` : ''}` : '', target }
  }
  const piscina = get('inflight', 'piscina')?.throughput

  const panels = [
    {
      title: 'p50 relative to the bare primitive on the same transport (log scale; lower is better)',
      min: 0.02,
      max: 20,
      ticks: [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
      tickLabel: (v) => `${v}x`,
      rows: [
        { group: true, label: 'spawn to first call, vs bare spawn (process) or bare new Worker()' },
        rel('spawn', 'process', 'bare-spawn', 'harrow process', 1.1),
        rel('spawn', 'forkserver', 'bare-spawn', 'harrow forkserver (warm)'),
        rel('spawn', 'tinypool-process', 'bare-spawn', 'tinypool child_process: new pool + first task'),
        rel('spawn', 'worker', 'bare-worker', 'harrow worker', 1.2),
        rel('spawn', 'piscina', 'bare-worker', 'piscina: new pool + first task'),
        rel('spawn', 'tinypool-worker', 'bare-worker', 'tinypool worker_threads: new pool + first task'),
        rel('spawn', 'workerpool', 'bare-worker', 'workerpool: new pool + first task'),
        { group: true, label: 'call round trip, vs raw MessagePort (worker) or raw msgpackr over a pipe (process)' },
        rel('call-worker', 'worker', 'raw-port', 'harrow worker portal.run', 1.3),
        rel('call-worker', 'piscina', 'raw-port', 'piscina run'),
        rel('call-worker', 'tinypool-worker', 'raw-port', 'tinypool worker_threads run'),
        rel('call-worker', 'workerpool', 'raw-port', 'workerpool exec'),
        rel('call-process', 'process', 'raw-pipe', 'harrow process portal.run', 1.3),
        rel('call-process', 'forkserver', 'raw-pipe', 'harrow forkserver portal.run', 1.3),
        rel('call-process', 'tinypool-process', 'raw-pipe', 'tinypool child_process run'),
        { group: true, label: 'call round trip, everything pinned to one vCPU (no cross-vCPU wake-ups)' },
        rel('call-worker', 'pinned:worker', 'pinned:raw-port', 'harrow worker portal.run', 1.3),
        rel('call-worker', 'pinned:piscina', 'pinned:raw-port', 'piscina run'),
        rel('call-worker', 'pinned:tinypool-worker', 'pinned:raw-port', 'tinypool worker_threads run'),
        rel('call-worker', 'pinned:workerpool', 'pinned:raw-port', 'workerpool exec'),
        rel('call-process', 'pinned:process', 'pinned:raw-pipe', 'harrow process portal.run', 1.3),
        rel('call-process', 'pinned:forkserver', 'pinned:raw-pipe', 'harrow forkserver portal.run', 1.3),
        rel('call-process', 'pinned:tinypool-process', 'pinned:raw-pipe', 'tinypool child_process run'),
      ],
    },
    {
      title: 'Throughput (log scale; higher is better)',
      higherIsBetter: true,
      min: 1000,
      max: 2e7,
      ticks: [1e3, 1e4, 1e5, 1e6, 1e7],
      tickLabel: (v) => rate(v).replace('/s', ''),
      rows: [
        { group: true, label: 'stream of small messages, messages/s' },
        thr('stream', 'codec', 'msgpackr encode + decode, one thread'),
        thr('stream', 'raw-port', 'bare MessagePort, batched'),
        thr('stream', 'worker', 'harrow worker portal.stream', 1e6, 'target ≥ 1M/s'),
        thr('stream', 'raw-pipe', 'raw socketpair, batched'),
        thr('stream', 'process', 'harrow process portal.stream', 5e5, 'target ≥ 500k/s'),
        thr('stream', 'forkserver', 'harrow forkserver portal.stream'),
        { group: true, label: '1,000 calls in flight to one actor or one-thread pool, calls/s' },
        thr('inflight', 'worker', 'harrow worker', piscina ? 5 * piscina : undefined, piscina ? 'target ≥ 5x piscina' : ''),
        thr('inflight', 'piscina', 'piscina'),
        thr('inflight', 'tinypool-worker', 'tinypool worker_threads'),
        thr('inflight', 'workerpool', 'workerpool'),
        thr('inflight', 'process', 'harrow process'),
        thr('inflight', 'forkserver', 'harrow forkserver'),
        thr('inflight', 'tinypool-process', 'tinypool child_process'),
      ],
    },
    {
      title: 'Times with a target of their own (log scale; lower is better)',
      min: 0.5,
      max: 5000,
      ticks: [1, 10, 100, 1000],
      tickLabel: (v) => (v >= 1000 ? `${v / 1000} s` : `${v} ms`),
      rows: [
        { group: true, label: 'warm forkserver spawn to first call, p50, by what the parent holds (process, bare spawn beside it)' },
        ...[
          ['small', 'small parent'],
          ['heap-1g', '1 GiB of JS heap'],
          ['heap-2g', '2 GiB of JS heap'],
          ['buffers-2g', '2 GiB of Buffers'],
          ['buffers-4g', '4 GiB of Buffers'],
        ].flatMap(([c, label]) =>
          get('parent-memory', `${c}:forkserver`)
            ? [
                abs('parent-memory', `${c}:forkserver`, `${label}: forkserver (preloaded)`, 5),
                abs('parent-memory', `${c}:process`, `${label}: process`),
                abs('parent-memory', `${c}:bare`, `${label}: bare spawn`),
              ]
            : [],
        ),
        { group: true, label: 'teardown of 100 idle actors, slowest sample' },
        abs('teardown', 'process-100', 'harrow process', 2000, 'p99'),
        abs('teardown', 'forkserver-100', 'harrow forkserver', undefined, 'p99'),
        abs('teardown', 'worker-100', 'harrow worker', undefined, 'p99'),
      ],
    },
  ]
  const body = []
  let y = 60
  for (const p of panels) {
    const { svg, height } = panel(p, y)
    body.push(svg)
    y += height + 12
  }
  const header = [
    `<text x="12" y="24" font-size="16" font-weight="700" fill="${COLORS.text}">harrow benchmarks${meta.quick ? ' (quick run)' : ''}: ${esc(meta.date)}, Node ${esc(meta.node)}, ${meta.cpus} vCPUs</text>`,
    `<text x="12" y="44" font-size="12" fill="${COLORS.muted}">Green: target met; red: target missed; grey: no target; red tick: the target. One run of pnpm bench; details in BENCHMARKS.md.</text>`,
  ].join('\n')
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="-apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    header,
    ...body,
    '</svg>',
    '',
  ].join('\n')
}
