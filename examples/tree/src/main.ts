/**
 * The harrow demo: the root starts a supervisor actor, which starts workers
 * of its own. Run it with `pnpm demo` from the repository root.
 */

import { ActorCancelledError, RemoteActorError, getStartMethod, ref, withNursery } from '@harrow/core'
import type * as Supervisor from './supervisor.ts'

const supervisorModule = new URL('./supervisor.ts', import.meta.url)

function step(text: string): void {
  console.log(`\n${text}`)
}

console.log(`harrow demo: an actor tree on the '${getStartMethod()}' backend (root pid ${process.pid})`)

await withNursery(async (nursery) => {
  step("1. The root starts a 'supervisor' actor.")
  const supervisor = await nursery.startActor('supervisor', { enableModules: [supervisorModule] })
  console.log(`   supervisor is pid ${supervisor.actor.pid}, a child of the root`)
  const sup = supervisor.bind<typeof Supervisor>(supervisorModule)

  step('2. The supervisor starts three workers of its own and fans work out to them.')
  for (const r of await sup.fanOut([10, 100, 1000])) {
    console.log(`   ${r.worker} (pid ${r.pid}): sum of squares up to ${r.input} = ${r.sumOfSquares}`)
  }
  console.log('   (the supervisor closed its nursery, so those workers are gone already)')

  step('3. A worker streams primes; the supervisor relays the stream to the root.')
  const primes: number[] = []
  for await (const p of sup.primes(50)) primes.push(p)
  console.log(`   ${primes.join(' ')}`)

  step('4. A worker fails. Its error crosses two actors and keeps its origin.')
  try {
    await sup.fanOut([3, -1])
  } catch (error) {
    if (!(error instanceof RemoteActorError)) throw error
    console.log(`   caught ${error.name}: ${error.boxedType}: ${error.remoteMessage}`)
    console.log(`   raised in '${error.src.name}', relayed via ${error.relayPath.map((a) => `'${a.name}'`).join(' → ')}`)
    console.log(`   remote stack: ${error.remoteStack.split('\n')[1]?.trim()}`)
  }

  step('5. The root cancels a long job after 300 ms; the cancel cascades down to the worker.')
  const controller = new AbortController()
  setTimeout(() => controller.abort(), 300)
  try {
    await supervisor.run(ref(supervisorModule, 'longJob'), [60_000], { signal: controller.signal })
  } catch (error) {
    if (!(error instanceof ActorCancelledError)) throw error
    console.log(`   the root saw ${error.name}: ${error.message}`)
  }
})

step('6. The root nursery closed: the supervisor was cancelled and every actor reaped.')
