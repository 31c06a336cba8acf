// node src/ssh-stream-cpu.mjs [RUNS]
// The ssh stream case, split by process: for each contender of the `ssh` scenario's stream table, the CPU time each
// process spent per stream of 300,000 items (this parent, the ssh client, the sshd session, the remote node with all
// its threads, from /proc/<pid>/task/*/schedstat, in ns), beside the wall time; then each contender's time against the
// raw session's in the same round (a paired ratio, which the VM's speed drifting between rounds does not move). Linux
// only. See analysis.md, "ssh stream: where the time goes".
import { readFileSync, readdirSync } from 'node:fs'
import { startSshd } from '@harrow/spawn-ssh/test-sshd'
import { harrowActor } from './harrow.mjs'
import { asGeneratorStream, rawSsh } from './raw.mjs'

const N = 300_000
const runs = Number(process.argv[2] ?? 24)
// Untimed rounds first, as the `ssh` scenario takes: an actor's stream takes a few million items to reach its pace.
const WARMUP = 8

const pids = () =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)

/** The process's command name, or undefined once it is gone. */
function comm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return undefined
  }
}

/** CPU time of every thread of `pid`, in ms. */
function cpuMs(pid) {
  let ns = 0
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
  } catch {
    // gone
  }
  return ns / 1e6
}

/** The processes `open()` started (an ssh client, its sshd session, the remote node), found as the pids that are new. */
async function openTracked(open) {
  const before = new Set(pids())
  const client = await open()
  // One short stream first: the remote node and its threads are up, and the first stream's compile is not timed.
  await client.stream(1000)
  const roles = { ssh: [], sshd: [], remote: [] }
  for (const pid of pids()) {
    if (before.has(pid)) continue
    const name = comm(pid)
    if (name === 'ssh') roles.ssh.push(pid)
    else if (name?.startsWith('sshd')) roles.sshd.push(pid)
    else if (name !== undefined && name !== 'sh' && name !== 'bash') roles.remote.push(pid)
  }
  return { client, roles }
}

const sshd = await startSshd()
const sshArgs = ['ssh', '-T', '-e', 'none', '-o', 'BatchMode=yes', '-F', sshd.configFile, sshd.host]
const contenders = {
  raw: () => rawSsh(sshArgs),
  floor: async () => asGeneratorStream(await rawSsh(sshArgs)),
  'floor with task storage': async () => asGeneratorStream(await rawSsh(sshArgs), { taskStorage: true }),
  harrow: () => harrowActor('ssh', { backend: { host: sshd.host, ssh: { configFile: sshd.configFile, node: process.execPath } } }),
}
const open = []
const samples = {}
try {
  for (const [id, start] of Object.entries(contenders)) {
    open.push({ id, ...(await openTracked(start)) })
    samples[id] = []
  }
  for (let round = 0; round < WARMUP + runs; round++) {
    const turn = round % open.length
    for (const { id, client, roles } of [...open.slice(turn), ...open.slice(0, turn)]) {
      const sum = (list) => list.reduce((total, pid) => total + cpuMs(pid), 0)
      const before = { ssh: sum(roles.ssh), sshd: sum(roles.sshd), remote: sum(roles.remote), parent: process.cpuUsage() }
      const started = performance.now()
      const count = await client.stream(N)
      const wall = performance.now() - started
      if (count !== N) throw new Error(`${id}: ${count} of ${N} items`)
      const parent = process.cpuUsage(before.parent)
      if (round < WARMUP) continue
      samples[id].push({
        wall,
        parent: (parent.user + parent.system) / 1000,
        remote: sum(roles.remote) - before.remote,
        ssh: sum(roles.ssh) - before.ssh,
        sshd: sum(roles.sshd) - before.sshd,
      })
    }
  }
} finally {
  for (const { client } of open) await client.close()
  await sshd.stop()
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
const fields = ['wall', 'parent', 'remote', 'ssh', 'sshd']
console.log(`ms per stream of ${N.toLocaleString('en')} items, medians of ${runs} rounds; paired: the median of (contender / raw) per round`)
console.log(['contender'.padEnd(24), ...fields.map((f) => f.padStart(7)), 'paired'.padStart(7)].join(' '))
for (const [id, rows] of Object.entries(samples)) {
  const paired = median(rows.map((row, i) => row.wall / samples.raw[i].wall))
  console.log(
    [
      id.padEnd(24),
      ...fields.map((f) =>
        median(rows.map((row) => row[f]))
          .toFixed(1)
          .padStart(7),
      ),
      `${paired.toFixed(2)}x`.padStart(7),
    ].join(' '),
  )
}
