/**
 * Actors on another host: the `'ssh'` backend beside the bare primitive it builds on, on a loopback OpenSSH server
 * of the run's own (@harrow/spawn-ssh/test-sshd). Spawn to first call against a bare `ssh host -- node` to its
 * first byte, each on a connection of its own and on a shared one (ControlMaster); call round trips and stream
 * throughput against raw length-prefixed msgpackr frames over an ssh session to a bare child.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { compileCacheDir, hasCompileCache } from '@harrow/core/backend'
import { sshdUnavailable, startSshd } from '@harrow/spawn-ssh/test-sshd'
import { harrowActor, harrowLabel } from '../harrow.mjs'
import { asGeneratorStream, bareSshChild, rawSsh } from '../raw.mjs'
import { pairedRatio, rotatingSamples, row, sleep } from '../stats.mjs'
import { callRounds } from './call-worker.mjs'
import { harrowOnce } from './spawn.mjs'

/** ssh and its arguments up to the host, as harrow runs it (no prompt, the run's own config and keys). */
function sshArgs(sshd, ...options) {
  return ['ssh', '-T', '-e', 'none', '-o', 'BatchMode=yes', '-F', sshd.configFile, ...options.flatMap((o) => ['-o', o]), sshd.host]
}

/** A master connection at `path` for the bare shared-connection contender; resolves once it accepts sessions. */
async function startMaster(sshd, path) {
  const master = spawn('ssh', [...sshArgs(sshd, 'ControlMaster=yes', `ControlPath=${path}`).slice(1, -1), '-N', sshd.host], { stdio: 'ignore' })
  for (let i = 0; i < 200; i++) {
    const check = spawn('ssh', ['-F', sshd.configFile, '-S', path, '-O', 'check', sshd.host], { stdio: 'ignore' })
    const [code] = await once(check, 'exit')
    if (code === 0) return master
    await sleep(25)
  }
  master.kill()
  throw new Error('the ssh master connection did not come up')
}

async function bareOnce(args, options) {
  const child = await bareSshChild('first-byte', args, options)
  await child.close()
  return child.elapsed
}

async function spawnCase(sshd, quick) {
  const runs = quick ? 4 : 30
  const warmup = quick ? 1 : 3
  const own = { host: sshd.host, ssh: { configFile: sshd.configFile, node: process.execPath } }
  const shared = { host: sshd.host, ssh: { ...own.ssh, shareConnection: true } }
  const controlPath = join(sshd.dir, 'bench-master')
  const master = await startMaster(sshd, controlPath)
  // The remote session's HOME is the sshd user's (this one's), whatever HOME this run has: the actor's compile cache is there.
  const runtime = hasCompileCache() ? { compileCache: compileCacheDir({ HOME: userInfo().homedir }) } : {}
  const contenders = [
    { id: 'spawn:bare-ssh', label: 'bare `ssh host -- node` to first byte, a connection of its own', once: () => bareOnce(sshArgs(sshd)) },
    {
      id: 'spawn:bare-ssh-runtime',
      label: "bare `ssh host -- node` that also loads harrow's child runtime (a cold ssh actor's floor)",
      once: () => bareOnce(sshArgs(sshd), { runtime }),
      baseline: 'spawn:bare-ssh',
    },
    {
      id: 'spawn:ssh',
      label: harrowLabel('ssh', '(a connection of its own): `startActor` + first `run`'),
      once: () => harrowOnce('ssh', { backend: own }),
      baseline: 'spawn:bare-ssh',
    },
    {
      id: 'spawn:bare-ssh-shared',
      label: 'bare `ssh host -- node` to first byte over a master connection',
      once: () => bareOnce(sshArgs(sshd, `ControlPath=${controlPath}`)),
    },
    {
      id: 'spawn:bare-ssh-shared-runtime',
      label: "bare `ssh host -- node` over a master connection that also loads harrow's child runtime (its floor)",
      once: () => bareOnce(sshArgs(sshd, `ControlPath=${controlPath}`), { runtime }),
      baseline: 'spawn:bare-ssh-shared',
    },
    {
      id: 'spawn:ssh-shared',
      label: harrowLabel('ssh', '(`shareConnection`, master up): `startActor` + first `run`'),
      once: () => harrowOnce('ssh', { backend: shared }),
      baseline: 'spawn:bare-ssh-shared',
    },
  ]
  let samples
  try {
    samples = await rotatingSamples(contenders, { runs, warmup })
  } finally {
    master.kill()
  }
  return { rows: contenders.map((c) => row(c.id, c.label, samples[c.id], { per: 1, baseline: c.baseline })) }
}

async function transportCase(sshd, quick) {
  const backend = { host: sshd.host, ssh: { configFile: sshd.configFile, node: process.execPath } }
  const calls = await callRounds(
    [
      { id: 'call:raw-ssh', label: 'raw msgpackr ping-pong over an ssh session', open: () => rawSsh(sshArgs(sshd)) },
      {
        id: 'call:hop-ssh',
        label:
          'for reference: the same, the bare child reading its channel in a thread that posts each chunk to its main thread (a remote actor whose watchdog has no link of its own)',
        open: () => rawSsh(sshArgs(sshd), { hop: true }),
        baseline: 'call:raw-ssh',
      },
      { id: 'call:ssh', label: harrowLabel('ssh', '`portal.run`'), open: () => harrowActor('ssh', { backend }), baseline: 'call:raw-ssh' },
    ],
    { runs: quick ? 1000 : 10_000, rounds: quick ? 4 : 10, warmup: 500, placements: quick ? 1 : 3 },
  )
  const n = quick ? 50_000 : 300_000
  const streams = streamContenders(sshd, n)
  const open = []
  let samples
  try {
    for (const contender of streams) {
      const client = await contender.open()
      open.push(client)
      contender.once = () => timedStream(contender.id, client, n)
    }
    samples = await rotatingSamples(streams, quick ? { runs: 3, warmup: 1 } : { runs: STREAM_RUNS, warmup: STREAM_WARMUP })
  } finally {
    for (const client of open) await client.close()
  }
  const paired = streams.filter((c) => c.baseline).map((c) => `${c.id} ${pairedRatio(samples[c.id], samples[c.baseline]).toFixed(2)}x`)
  return {
    rows: [...calls, ...streams.map((c) => row(c.id, c.label, samples[c.id], { per: n, baseline: c.baseline }))],
    notes: [`Stream, the median of each sample's ratio to the raw session's in the same round: ${paired.join(', ')}.`],
  }
}

// Samples are short (0.1 to 0.2 s) and the raw session's swing widely: enough of them for a median to settle.
/** Timed streams per contender in a full run. */
export const STREAM_RUNS = 24
// An actor's stream takes a few million items to reach its steady pace (its heap grows to the garbage it makes;
// see analysis.md): untimed rounds first, as many for every contender.
/** Untimed streams per contender before them. */
export const STREAM_WARMUP = 8

/**
 * The stream contenders over an ssh session to `sshd`, `n` items each: the raw session, its floor, the floor with task
 * storage, and harrow. Each has `id`, `label`, `open()` (a client with `stream(n)` and `close()`), and `baseline`.
 */
export function streamContenders(sshd, n) {
  const count = n.toLocaleString('en')
  const backend = { host: sshd.host, ssh: { configFile: sshd.configFile, node: process.execPath } }
  return [
    {
      id: 'stream:raw-ssh',
      label: `raw ssh session, batches of 1,024 length-prefixed frames, n = ${count}`,
      open: () => rawSsh(sshArgs(sshd)),
    },
    {
      id: 'stream:floor-ssh',
      label: `floor: a bare child draining the actors' async generator into messages of 256 items, over an ssh session, n = ${count}`,
      open: async () => asGeneratorStream(await rawSsh(sshArgs(sshd))),
      baseline: 'stream:raw-ssh',
    },
    {
      id: 'stream:floor-ssh-storage',
      label: `floor with task storage: the same, drained inside an \`AsyncLocalStorage\` run, as an actor runs each task, n = ${count}`,
      open: async () => asGeneratorStream(await rawSsh(sshArgs(sshd)), { taskStorage: true }),
      baseline: 'stream:raw-ssh',
    },
    {
      id: 'stream:ssh',
      label: `${harrowLabel('ssh', '`portal.stream`')}, n = ${count}`,
      open: () => harrowActor('ssh', { backend }),
      baseline: 'stream:raw-ssh',
    },
  ]
}

/** One stream of `n` items from `client`, checked whole; resolves with its time in ms. */
export async function timedStream(id, client, n) {
  const started = performance.now()
  const count = await client.stream(n)
  const elapsed = performance.now() - started
  if (count !== n) throw new Error(`${id}: ${count} of ${n} messages`)
  return elapsed
}

export default {
  id: 'ssh',
  title: 'Actors on another host: ssh',
  how: "On a loopback OpenSSH server started for the run (its own config, keys and known_hosts), the remote node being this one. Spawn to first call: each sample starts one ssh actor and ends at the result of its first call, beside a bare `ssh host -- exec node child` to its first byte, and with its floor: the bare child loading harrow's child runtime before its first byte, as a remote actor must before it answers (its channel watchdog thread starts beside its boot, not before it); on a connection of its own (a full handshake each time) and over a master connection that is already up (harrow's `shareConnection`, a bare `ControlPath`); samples rotate between the contenders, teardown untimed. Call round trips: one `add(1, 2)` at a time, in rounds alternating with raw length-prefixed msgpackr frames over an ssh session to a bare child, and, for reference, the same bare child reading its channel in a worker thread that posts each chunk to its main thread: the path of a remote actor whose channel watchdog (what kills a wedged actor on its host when its parent dies, its link is cut or its parent terminates it) has no link of its own and reads the channel for it (on Bun or Deno, or on a server that refuses to forward to it); over ssh on Node the watchdog has its link and the actor reads its channel itself. Stream throughput: n small messages, as in the stream table, 24 samples each after 8 untimed rounds, each round starting with the next contender, against the bare child writing batches of frames to the session; its floor: the bare child draining the actors’ own async generator into messages of 256 items, as an actor’s stream does; and that floor with task storage: the same drain inside an `AsyncLocalStorage` run, as an actor runs each task so that `currentTask()` works (on Node 20 and 22 every promise then runs hooks).",
  cases: () => {
    const skip = sshdUnavailable()
    return [
      { id: 'spawn', label: 'spawn to first call', ...(skip ? { skip: `skipped: ${skip}` } : {}) },
      { id: 'transport', label: 'calls and streams', ...(skip ? { skip: `skipped: ${skip}` } : {}) },
    ]
  },
  async run({ quick, caseId }) {
    const sshd = await startSshd({ alias: 'harrow-bench' })
    try {
      return caseId === 'spawn' ? await spawnCase(sshd, quick) : await transportCase(sshd, quick)
    } finally {
      await sshd.stop()
    }
  },
}
