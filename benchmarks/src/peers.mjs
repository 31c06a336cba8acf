/**
 * The pools users compare harrow with, each set up with one thread (or process) running the same trivial task,
 * add(a, b): piscina, tinypool on both its runtimes, workerpool. Each peer is `{ id, label, transport, open() }`;
 * `open()` resolves once the pool answered its first call, with `{ call(a, b), close() }`.
 */
import { Piscina } from 'piscina'
import Tinypool from 'tinypool'
import workerpool from 'workerpool'

const POOL_TASK = new URL('./fixtures/piscina-add.mjs', import.meta.url)
const WORKERPOOL_TASK = new URL('./fixtures/workerpool-add.mjs', import.meta.url)

const versions = {
  piscina: '5.3.2',
  tinypool: '2.2.0',
  workerpool: '10.0.3',
}

export const PEERS = [
  {
    id: 'piscina',
    label: `piscina ${versions.piscina} \`run\`, 1 thread`,
    transport: 'worker',
    async open() {
      const pool = new Piscina({ filename: POOL_TASK.href, minThreads: 1, maxThreads: 1 })
      await pool.run([1, 2])
      return { call: (a, b) => pool.run([a, b]), close: () => pool.destroy() }
    },
  },
  {
    id: 'tinypool-worker',
    label: `tinypool ${versions.tinypool} \`run\`, 1 thread (worker_threads)`,
    transport: 'worker',
    async open() {
      const pool = new Tinypool({ filename: POOL_TASK.href, runtime: 'worker_threads', minThreads: 1, maxThreads: 1, isolateWorkers: false })
      await pool.run([1, 2])
      return { call: (a, b) => pool.run([a, b]), close: () => pool.destroy() }
    },
  },
  {
    id: 'workerpool',
    label: `workerpool ${versions.workerpool} \`exec\`, 1 thread`,
    transport: 'worker',
    async open() {
      const pool = workerpool.pool(WORKERPOOL_TASK.pathname, { minWorkers: 1, maxWorkers: 1, workerType: 'thread' })
      await pool.exec('add', [1, 2])
      return { call: (a, b) => pool.exec('add', [a, b]), close: () => pool.terminate() }
    },
  },
  {
    id: 'tinypool-process',
    label: `tinypool ${versions.tinypool} \`run\`, 1 process (child_process)`,
    transport: 'process',
    async open() {
      const pool = new Tinypool({ filename: POOL_TASK.href, runtime: 'child_process', minThreads: 1, maxThreads: 1, isolateWorkers: false })
      await pool.run([1, 2])
      return { call: (a, b) => pool.run([a, b]), close: () => pool.destroy() }
    },
  },
]

/** The peers that run on `transport` (`'worker'` or `'process'`). */
export function peersOn(transport) {
  return PEERS.filter((peer) => peer.transport === transport)
}
