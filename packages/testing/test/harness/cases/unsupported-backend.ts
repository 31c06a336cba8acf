// A third-party spawn method that registers but cannot run here: the harness's usage-error and
// skipped-project paths are exercised with it whatever backends this machine has installed.
import { registerSpawnMethod } from '@harrow/core'

declare module '@harrow/core' {
  interface CustomSpawnMethods {
    nowhere: true
  }
}

export const UNSUPPORTED_REASON = 'it needs a runtime this machine does not have'

registerSpawnMethod('nowhere', {
  packageName: 'harrow-spawn-nowhere',
  probe: () => ({ supported: false, reason: UNSUPPORTED_REASON }),
  load: () => Promise.reject(new Error('never loaded: its probe fails')),
})
