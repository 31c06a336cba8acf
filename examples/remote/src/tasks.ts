// Functions the remote actor serves; it starts a child of its own on its host with the 'process' backend.
import { currentActor, openNursery, ref } from '@harrow/core'

/** Where this actor runs: its name, pid on its host, and its parent. */
export function whereAmI(): { name: string; pid: number | undefined; parent: string | undefined } {
  const actor = currentActor()
  return { name: actor.name, pid: actor.pid, parent: actor.parent?.name }
}

/** Start a grandchild on this host and ask it where it is. */
export async function askMyChild(): Promise<ReturnType<typeof whereAmI>> {
  await using nursery = await openNursery({ spawnMethod: 'process' })
  const child = await nursery.startActor('grandchild', { enableModules: [new URL(import.meta.url)] })
  return child.run(ref(new URL(import.meta.url), 'whereAmI'))
}

/** A failure two hops away: the grandchild throws, and the error travels back through 'far' with its relay path. */
export async function failInMyChild(): Promise<void> {
  await using nursery = await openNursery({ spawnMethod: 'process' })
  const child = await nursery.startActor('grandchild', { enableModules: [new URL(import.meta.url)] })
  await child.run(ref(new URL(import.meta.url), 'explode'))
}

export function explode(): never {
  throw new RangeError('the grandchild on the other host gave up')
}
