/**
 * The targets of issue #7, evaluated on one run's results. Each is `{ target, figure, met }`, `met` being
 * `undefined` when the run did not measure it (a scenario or case left out, as in --quick).
 */
import { ms, rate } from './stats.mjs'

/**
 * @param {Record<string, { cases: { id: string, rows?: any[], skipped?: string }[] }>} results by scenario id
 */
export function evaluateTargets(results) {
  /** The row `rowId` of scenario `scenarioId`, whichever case it is in. */
  const get = (scenarioId, rowId) => {
    for (const c of results[scenarioId]?.cases ?? []) {
      const found = c.rows?.find((r) => r.id === rowId)
      if (found) return found
    }
    return undefined
  }
  const out = []
  const add = (target, figure, met) => out.push({ target, figure, met })
  const notMeasured = (target, why = 'not measured in this run') => add(target, why, undefined)

  /** A p50 ratio target: `a` within `limit` times `b`. */
  const ratioTarget = (target, [sa, ra], [sb, rb], limit, describe) => {
    const a = get(sa, ra)
    const b = get(sb, rb)
    if (!a || !b) return notMeasured(target)
    const x = a.p50 / b.p50
    add(target, `${x.toFixed(2)}x (${ms(a.p50)} against ${ms(b.p50)}${describe ? `, ${describe}` : ''})`, x <= limit)
  }

  // Issue #19: on Node 20 and on Node 24, against bare primitives that import the same user module.
  for (const [on, label] of [
    ['', ''],
    ['node24:', ', Node 24'],
  ]) {
    ratioTarget(`process spawn-to-first-call p50 ≤ 1.1x bare spawn-to-first-byte${label}`, ['spawn', `${on}process`], ['spawn', `${on}bare-spawn`], 1.1)
    ratioTarget(`worker spawn-to-first-call p50 ≤ 1.2x bare \`new Worker()\`${label}`, ['spawn', `${on}worker`], ['spawn', `${on}bare-worker`], 1.2)
    ratioTarget(`worker spawn-to-first-call p50 ≤ piscina's new pool + first task${label}`, ['spawn', `${on}worker`], ['spawn', `${on}piscina`], 1)
  }
  for (const [on, label] of [
    ['tsx:', ''],
    ['node24-tsx:', ', Node 24'],
  ]) {
    ratioTarget(
      `worker spawn-to-first-call p50 ≤ 1.2x bare \`new Worker()\`, both under \`node --import tsx\`${label}`,
      ['spawn', `${on}worker`],
      ['spawn', `${on}bare-worker`],
      1.2,
    )
  }

  {
    const preloaded = get('parent-memory', 'small:forkserver')
    const plain = get('spawn', 'forkserver')
    const target = 'forkserver warm spawn-to-first-call p50 ≤ 5 ms (aim: 2 ms), small parent'
    if (!preloaded && !plain) notMeasured(target)
    else {
      const parts = [preloaded && `${ms(preloaded.p50)} with the module preloaded (parent-memory)`, plain && `${ms(plain.p50)} without (spawn)`].filter(Boolean)
      add(target, parts.join('; '), (preloaded ?? plain).p50 <= 5)
    }
  }

  const small = get('parent-memory', 'small:forkserver')
  for (const [caseId, what] of [
    ['heap-1g', '1 GiB of live JS heap'],
    ['heap-2g', '2 GiB of live JS heap'],
    ['buffers-2g', '2 GiB of Buffers'],
    ['buffers-4g', '4 GiB of Buffers'],
  ]) {
    const target = `forkserver warm spawn p50 flat with ${what} in the parent (≤ 1.2x the small parent's)`
    const big = get('parent-memory', `${caseId}:forkserver`)
    const skipped = results['parent-memory']?.cases.find((c) => c.id === caseId)?.skipped
    if (!big || !small) {
      notMeasured(target, skipped ?? 'not measured in this run')
      continue
    }
    const bare = get('parent-memory', `${caseId}:bare`)
    const bareSmall = get('parent-memory', 'small:bare')
    const x = big.p50 / small.p50
    const bareNote = bare && bareSmall ? `; a bare spawn: ${(bare.p50 / bareSmall.p50).toFixed(2)}x` : ''
    add(target, `${x.toFixed(2)}x (${ms(big.p50)} against ${ms(small.p50)}${bareNote})`, x <= 1.2)
  }

  {
    // Issue #5: a forkserver spawn never blocks the parent's event loop for more than 1 ms, whatever it holds. Each
    // turn of the loop is timed over the spawn and its first call, and over an idle window after it (turns.mjs), with
    // what is not the turn's work taken out: the garbage collector's pauses (their length is the whole program's live
    // young objects; they are counted in the notes) and the time the loop's thread waited for a vCPU another thread
    // had (on this VM, mostly the kernel's memory monitor); and at the vCPU's usual speed (this VM's vCPU is at times
    // several times slower for a second or so; a reference workload timed after each spawn says by how much). The VM
    // also stalls a process for a millisecond or more now and then, idle or not, so "never" is judged against the
    // idle windows: met when spawns have no more turns over 1 ms than the machine gives idle windows of the same
    // total length (a one-sided binomial test at 5%). The counts without the speed correction are quoted beside it.
    const target =
      "forkserver spawn never blocks the parent's event loop > 1 ms (turns over 1 ms during spawns, GC pauses and preemption apart, at the vCPU's usual speed, no more frequent than in idle windows; every parent measured)"
    const measured = (results['parent-memory']?.cases ?? []).filter((c) => c.turns?.['forkserver-usual-speed'] && c.exposure)
    if (measured.length === 0) notMeasured(target)
    else {
      const count = (key) => measured.reduce((sum, c) => sum + c.turns[key].filter((x) => x > 1).length, 0)
      const spawns = count('forkserver-usual-speed')
      const idle = count('idle-usual-speed')
      const raw = count('forkserver-own')
      const rawIdle = count('idle-own')
      const n = measured.reduce((sum, c) => sum + c.turns['forkserver-own'].length, 0)
      const spawnTime = measured.reduce((sum, c) => sum + c.exposure.forkserver, 0)
      const idleTime = measured.reduce((sum, c) => sum + c.exposure.idle, 0)
      const p = binomialTail(spawns, spawns + idle, spawnTime / (spawnTime + idleTime))
      const p50 = Math.max(...measured.map((c) => c.turn['forkserver-own'].p50))
      const worst = Math.max(...measured.map((c) => c.turn['forkserver-own'].max))
      const process = Math.max(...measured.map((c) => c.loop?.process?.max ?? 0))
      add(
        target,
        `${spawns} of ${n} spawns had a turn over 1 ms, ${idle} of ${n} idle windows (p = ${p.toFixed(2)}; as measured, without the speed correction: ${raw} and ${rawIdle}); longest turn p50 ${ms(p50)} at most, max ${ms(worst)}, over ${measured.length} parent${measured.length > 1 ? 's' : ''}; a process spawn blocks it up to ${ms(process)}`,
        p >= 0.05,
      )
    }
  }

  for (const [prefix, how] of [
    ['', 'unpinned'],
    ['pinned:', 'pinned to one vCPU'],
  ]) {
    ratioTarget(
      `worker call round trip p50 ≤ 1.3x raw \`MessagePort\` ping-pong (${how})`,
      ['call-worker', `${prefix}worker`],
      ['call-worker', `${prefix}raw-port`],
      1.3,
    )
    ratioTarget(
      `process call round trip p50 ≤ 1.3x raw msgpackr ping-pong over a pipe (${how})`,
      ['call-process', `${prefix}process`],
      ['call-process', `${prefix}raw-pipe`],
      1.3,
    )
    ratioTarget(
      `forkserver call round trip p50 ≤ 1.3x raw msgpackr ping-pong over a pipe (${how})`,
      ['call-process', `${prefix}forkserver`],
      ['call-process', `${prefix}raw-pipe`],
      1.3,
    )
    for (const [peer, name] of [
      ['piscina', 'piscina'],
      ['tinypool-worker', 'tinypool (worker_threads)'],
    ]) {
      const h = get('call-worker', `${prefix}worker`)
      const p = get('call-worker', `${prefix}${peer}`)
      const target = `worker call round trip p50 lower than ${name}'s (${how})`
      if (!h || !p) notMeasured(target)
      else add(target, `${ms(h.p50)} against ${ms(p.p50)} (${(h.p50 / p.p50).toFixed(2)}x)`, h.p50 < p.p50)
    }
  }

  {
    const h = get('inflight', 'worker')
    const p = get('inflight', 'piscina')
    const target = "1,000 calls in flight to one worker actor: throughput ≥ 5x piscina's (1 thread, same task)"
    if (!h || !p) notMeasured(target)
    else add(target, `${(h.throughput / p.throughput).toFixed(1)}x (${rate(h.throughput)} against ${rate(p.throughput)})`, h.throughput >= 5 * p.throughput)
  }

  for (const [backend, limit] of [
    ['process', 500_000],
    ['worker', 1_000_000],
  ]) {
    const s = get('stream', backend)
    const target = `stream throughput of small messages ≥ ${rate(limit)} on the ${backend} backend`
    if (!s) notMeasured(target)
    else add(target, `${rate(s.throughput)} (p50 sample ${ms(s.p50)} for ${s.per.toLocaleString('en')} messages)`, s.throughput >= limit)
  }

  {
    const t = get('teardown', 'process-100')
    const target = 'teardown of 100 idle actors < 2 s on the process backend'
    if (!t) notMeasured(target)
    else add(target, `p50 ${ms(t.p50)}, slowest ${ms(t.p99)} (n = ${t.n})`, t.p99 < 2000)
  }

  // Issue #15: a harrow pool on the worker backend keeps up with piscina on real CPU-bound work.
  ratioTarget("worker pool: batch wall time p50 ≤ 1.05x piscina's (cold pools, terser)", ['pool', 'batch:harrow-worker'], ['pool', 'batch:piscina'], 1.05)
  ratioTarget("worker pool: time to first result p50 ≤ 1.05x piscina's (cold pools, terser)", ['pool', 'first:harrow-worker'], ['pool', 'first:piscina'], 1.05)
  ratioTarget("worker pool: warm batch wall time p50 ≤ 1.05x piscina's (terser)", ['pool', 'warm:harrow-worker'], ['pool', 'warm:piscina'], 1.05)

  // Issue #14: actors on another host, against the bare primitive over the same loopback sshd.
  // Each beside its floor in the same run: the bare child loading harrow's runtime (spawn), reading through a thread as
  // the actor's watchdog does (calls), and draining the generator in an AsyncLocalStorage run as an actor runs a task
  // (streams).
  const floorNote = (floorRow, rawRow, what) => {
    const floor = get('ssh', floorRow)
    const raw = get('ssh', rawRow)
    return floor && raw ? `${what}: ${(floor.p50 / raw.p50).toFixed(2)}x` : undefined
  }
  ratioTarget(
    'ssh spawn-to-first-call p50 ≤ 1.2x a bare `ssh host -- node` (a connection each)',
    ['ssh', 'spawn:ssh'],
    ['ssh', 'spawn:bare-ssh'],
    1.2,
    floorNote('spawn:bare-ssh-runtime', 'spawn:bare-ssh', "the floor, loading harrow's runtime"),
  )
  ratioTarget(
    'ssh call round trip p50 ≤ 1.3x raw msgpackr frames over an ssh session',
    ['ssh', 'call:ssh'],
    ['ssh', 'call:raw-ssh'],
    1.3,
    floorNote('call:hop-ssh', 'call:raw-ssh', 'through a thread, as without a link: a bare child'),
  )
  ratioTarget(
    'ssh stream of small messages: time p50 ≤ 1.3x raw frames over an ssh session',
    ['ssh', 'stream:ssh'],
    ['ssh', 'stream:raw-ssh'],
    1.3,
    floorNote('stream:floor-ssh-storage', 'stream:raw-ssh', 'the floor with task storage'),
  )
  return out
}

/**
 * P(X >= k) for X ~ Binomial(n, p): how likely at least `k` of `n` events land where each lands with probability `p`.
 * @param {number} k
 * @param {number} n
 * @param {number} p
 */
function binomialTail(k, n, p) {
  let tail = 0
  let term = (1 - p) ** n
  for (let i = 0; i <= n; i++) {
    if (i >= k) tail += term
    term *= ((n - i) / (i + 1)) * (p / (1 - p))
  }
  return Math.min(1, tail)
}
