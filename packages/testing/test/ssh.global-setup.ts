// Global setup of the 'ssh' project: a loopback sshd for the whole run, and HARROW_SSH_DEFAULTS pointing every 'ssh' actor (in every process of the run) at it.
import { SSH_DEFAULTS_ENV } from '@harrow/spawn-ssh'
import { startSshd } from '@harrow/spawn-ssh/test-sshd'

export async function setup(): Promise<() => Promise<void>> {
  const sshd = await startSshd({ alias: 'harrow-conformance' })
  // The same node on the "other host" (it is this machine): PATH there is the login shell's, not this process's.
  process.env[SSH_DEFAULTS_ENV] = JSON.stringify({ host: sshd.host, configFile: sshd.configFile, node: process.execPath })
  return async () => {
    delete process.env[SSH_DEFAULTS_ENV]
    await sshd.stop()
  }
}
