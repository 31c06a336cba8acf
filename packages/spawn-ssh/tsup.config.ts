import { packageConfig } from '../../tsup.base.ts'

// child.ts is the script each actor runs on the remote host, channel-watchdog.ts its watchdog thread and path-hooks.ts
// the module hooks that apply a path map there; all three are found beside backend.js at run time.
// test-sshd.ts is a public subpath: a loopback sshd for tests of remote actors.
export default packageConfig({
  entry: ['src/index.ts', 'src/backend.ts', 'src/child.ts', 'src/channel-watchdog.ts', 'src/path-hooks.ts', 'src/test-sshd.ts'],
  publicEntries: ['src/index.ts', 'src/test-sshd.ts'],
})
