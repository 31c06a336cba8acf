// node src/ssh-stream-cpu.mjs [RUNS]
// The ssh stream case, split by process: for each contender of the `ssh` scenario's stream table, the CPU time each
// process spent per stream of 300,000 items (this parent, the ssh client, the sshd session, the remote node with all
// its threads, from /proc/<pid>/task/*/schedstat, in ns), beside the wall time; then each contender's time against the
// raw session's in the same round (a paired ratio, which the VM's speed drifting between rounds does not move). Linux
// only. See analysis.md, "ssh stream: where the time goes".
import { readFileSync, readdirSync } from 'node:fs'
import { startSshd } from '@harrow/spawn-ssh/test-sshd'
import { STREAM_RUNS, STREAM_WARMUP, streamContenders, timedStream } from './scenarios/ssh.mjs'
import { pairedRatio, rotatingSamples, summarize } from './stats.mjs'

const N = 300_000
const runs = Number(process.argv[2] ?? STREAM_RUNS)

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
const contenders = streamContenders(sshd, N)
const open = []
/** Each stream's CPU split, by contender id, warm-up streams included (rotatingSamples keeps only the wall times). */
const splits = {}
let walls
try {
  for (const contender of contenders) {
    const { client, roles } = await openTracked(contender.open)
    open.push(client)
    splits[contender.id] = []
    const sum = (list) => list.reduce((total, pid) => total + cpuMs(pid), 0)
    contender.once = async () => {
      const before = { ssh: sum(roles.ssh), sshd: sum(roles.sshd), remote: sum(roles.remote), parent: process.cpuUsage() }
      const wall = await timedStream(contender.id, client, N)
      const parent = process.cpuUsage(before.parent)
      splits[contender.id].push({
        wall,
        parent: (parent.user + parent.system) / 1000,
        remote: sum(roles.remote) - before.remote,
        ssh: sum(roles.ssh) - before.ssh,
        sshd: sum(roles.sshd) - before.sshd,
      })
      return wall
    }
  }
  walls = await rotatingSamples(contenders, { runs, warmup: STREAM_WARMUP })
} finally {
  for (const client of open) await client.close()
  await sshd.stop()
}

const raw = contenders[0].id
const fields = ['wall', 'parent', 'remote', 'ssh', 'sshd']
console.log(`ms per stream of ${N.toLocaleString('en')} items, medians of ${runs} rounds; paired: the median of (contender / raw) per round`)
console.log(['contender'.padEnd(26), ...fields.map((f) => f.padStart(7)), 'paired'.padStart(7)].join(' '))
for (const { id } of contenders) {
  const timed = splits[id].slice(STREAM_WARMUP)
  const medians = fields.map((f) =>
    summarize(timed.map((split) => split[f]))
      .p50.toFixed(1)
      .padStart(7),
  )
  console.log([id.padEnd(26), ...medians, `${pairedRatio(walls[id], walls[raw]).toFixed(2)}x`.padStart(7)].join(' '))
}
