/** harrow's side of the call and stream scenarios: one actor on a backend, opened like the peers and raw baselines. */
import { openNursery, ref } from '@harrow/core'
import '@harrow/spawn-forkserver'
import '@harrow/spawn-process'
import '@harrow/spawn-ssh'
import '@harrow/spawn-worker'

export const TASKS = new URL('./fixtures/tasks.mjs', import.meta.url)
const add = ref(TASKS, 'add')
const ticks = ref(TASKS, 'ticks')

/**
 * One daemon actor on `spawnMethod` serving fixtures/tasks.mjs, with `call`, `inflight`, `stream` and `close`.
 * @param {'process' | 'worker' | 'forkserver' | 'ssh'} spawnMethod
 * @param {import('@harrow/core').ActorOptions} [options] more actor options (`backend` for ssh)
 */
export async function harrowActor(spawnMethod, options = {}) {
  const nursery = await openNursery({ spawnMethod })
  const portal = await nursery.startActor(`bench-${spawnMethod}`, { enableModules: [TASKS], ...options })
  const call = (a, b) => portal.run(add, [a, b])
  return {
    actor: portal.actor,
    call,
    inflight: (n) => Promise.all(Array.from({ length: n }, (_, i) => call(i, 1))),
    async stream(n) {
      let count = 0
      for await (const _ of portal.stream(ticks, [n])) count++
      return count
    },
    close: () => nursery.close(),
  }
}

/** The label of harrow on a backend, as the tables show it. */
export function harrowLabel(spawnMethod, what) {
  return `harrow \`${spawnMethod}\` ${what}`
}
