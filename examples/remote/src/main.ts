// A tree across "two hosts" on one machine: this root, an actor started over ssh on a loopback sshd that the example
// starts itself (its own keys and config, nothing of ~/.ssh touched), and that actor's own child on its host.
import { RemoteActorError, ref, withNursery } from '@harrow/core'
import '@harrow/spawn-ssh'
import { configureSsh } from '@harrow/spawn-ssh'
import { sshdUnavailable, startSshd } from '@harrow/spawn-ssh/test-sshd'

const unavailable = sshdUnavailable()
if (unavailable !== undefined) {
  console.log(`remote example skipped: ${unavailable}`)
  process.exit(0)
}

const sshd = await startSshd({ alias: 'host-b' })
try {
  // Every 'ssh' actor of this program goes to host-b: the same node, and this directory as its working directory, where
  // `--import tsx` (this program's execArgv, which actors inherit) finds tsx. Same machine, so the same paths.
  configureSsh({ host: sshd.host, configFile: sshd.configFile, node: process.execPath, cwd: process.cwd() })
  const tasks = new URL('./tasks.ts', import.meta.url)
  await withNursery(
    async (nursery) => {
      const far = await nursery.startActor('far', { enableModules: [tasks] })
      console.log('root   pid', process.pid)
      console.log('far    ', await far.run(ref(tasks, 'whereAmI')), '(over ssh; local ssh client pid', far.actor.pid, ')')
      console.log('grand  ', await far.run(ref(tasks, 'askMyChild')))
      const error = await far.run(ref(tasks, 'failInMyChild')).catch((e: unknown) => e)
      if (error instanceof RemoteActorError) {
        console.log(`error  ${error.boxedType} from '${error.src.name}', relayed via ${error.relayPath.map((hop) => hop.name).join(' -> ')}`)
      } else throw error
    },
    { spawnMethod: 'ssh' },
  )
  console.log('done: every actor on both hosts is gone')
} finally {
  await sshd.stop()
}
