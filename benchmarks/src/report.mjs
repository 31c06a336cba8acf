/** BENCHMARKS.md from one run's results: the machine, the targets, and one table per scenario. */
import { evaluateTargets } from './targets.mjs'
import { quantity, rate } from './stats.mjs'

const escapeCell = (text) => String(text).replaceAll('|', '\\|')

/** The rows of every case of a scenario, in order, and the letters of the rows other rows are compared with. */
function tableOf(scenarioResult) {
  const rows = scenarioResult.cases.flatMap((c) => c.rows ?? [])
  const letters = new Map()
  for (const r of rows) if (r.baseline && !letters.has(r.baseline)) letters.set(r.baseline, undefined)
  let next = 0
  for (const r of rows) if (letters.has(r.id)) letters.set(r.id, String.fromCharCode(65 + next++))
  const byId = new Map(rows.map((r) => [r.id, r]))
  const lines = ['| contender | n | p50 | p90 | p99 | throughput | p50 ratio |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |']
  for (const r of rows) {
    const mark = letters.get(r.id) ? ` **[${letters.get(r.id)}]**` : ''
    const base = r.baseline ? byId.get(r.baseline) : undefined
    const ratioCell = base ? `${(r.p50 / base.p50).toFixed(2)}x [${letters.get(r.baseline)}]` : mark ? 'baseline' : ''
    lines.push(
      `| ${escapeCell(r.label)}${mark} | ${r.n} | ${quantity(r.p50, r.unit)} | ${quantity(r.p90, r.unit)} | ${quantity(r.p99, r.unit)} | ${rate(r.throughput)} | ${ratioCell} |`,
    )
  }
  return lines.join('\n')
}

/**
 * @param {{ meta: Record<string, unknown>, results: Record<string, { title: string, how: string, cases: any[] }>, chartPath: string, analysisPath?: string }} input
 */
export function renderMarkdown({ meta, results, chartPath, analysisPath }) {
  const targets = evaluateTargets(results)
  const met = targets.filter((t) => t.met === true).length
  const missed = targets.filter((t) => t.met === false).length
  const out = []
  out.push('# Benchmarks')
  out.push('')
  out.push(
    `harrow measured beside the bare primitives it is built on and beside the worker pools users compare it with, all in one run of \`pnpm bench${meta.quick ? ' --quick' : ''}\` on the machine below. ${meta.quick ? '**A quick run** (few samples, no 2-4 GiB parents): a smoke test, not figures to quote.' : 'Every figure in a table comes from this run; ratios compare contenders that alternated on the same machine, so read them before the absolute times.'} How to run it and how each scenario works: [benchmarks/README.md](benchmarks/README.md).`,
  )
  out.push('')
  out.push('| | |')
  out.push('| --- | --- |')
  out.push(`| date | ${meta.date} |`)
  out.push(`| machine | ${meta.cpus} × ${meta.cpuModel}, ${meta.memoryGiB} GiB, ${meta.os} |`)
  out.push(`| Node.js | ${meta.node} |`)
  out.push(`| harrow | ${meta.commit} |`)
  out.push(`| load average (1, 5, 15 min) | before: ${meta.loadBefore.join(', ')}; after: ${meta.loadAfter.join(', ')} |`)
  out.push(`| duration | ${meta.seconds.toFixed(0)} s |`)
  if (meta.otherLoad) out.push(`| other load | ${meta.otherLoad} |`)
  out.push('')
  out.push(`![p50 ratios to the bare baselines, throughputs and warm spawn times, with the targets](${chartPath})`)
  out.push('')
  out.push(
    'How to read the tables: each sample is one timed operation (the "how measured" line of each table says which), summarised as p50, p90 and p99 (nearest rank). **throughput** is the work of one sample (1 spawn, 1 call, 1,000 calls, n messages, N actors) divided by the mean sample time, for one caller. **p50 ratio** is the row\'s p50 over the p50 of the baseline row it names (**[A]**, **[B]**, ...; baselines are the bare primitive on the same transport, measured in the same run): above 1 is slower (or bigger), below 1 faster.',
  )
  out.push('')
  out.push(
    `## Targets (issue #7): ${met} met, ${missed} missed${targets.some((t) => t.met === undefined) ? `, ${targets.filter((t) => t.met === undefined).length} not measured` : ''}`,
  )
  out.push('')
  out.push('| target | figure | |')
  out.push('| --- | --- | --- |')
  for (const t of targets)
    out.push(`| ${escapeCell(t.target)} | ${escapeCell(t.figure)} | ${t.met === undefined ? 'not measured' : t.met ? 'met' : '**missed**'} |`)
  out.push('')
  if (analysisPath) {
    out.push(`Why each missed target is missed, the profiles behind the figures and the history of fixes: [the analysis](${analysisPath}).`, '')
  }
  for (const [id, result] of Object.entries(results)) {
    out.push(`## ${result.title}`)
    out.push('')
    out.push(`How measured (\`${id}\`): ${result.how}`)
    out.push('')
    const skipped = result.cases.filter((c) => c.skipped)
    if (result.cases.some((c) => c.rows?.length)) out.push(tableOf(result), '')
    for (const c of skipped) out.push(`- ${c.label ?? c.id}: ${c.skipped}`)
    for (const c of result.cases) for (const note of c.notes ?? []) out.push(`- ${note}`)
    if (skipped.length || result.cases.some((c) => c.notes?.length)) out.push('')
  }
  return { markdown: out.join('\n'), targets }
}
