import { packageConfig } from '../../tsup.base.ts'

// test-sshd.ts is a public subpath: a loopback sshd for tests of remote actors.
export default packageConfig({
  entry: ['src/index.ts', 'src/backend.ts', 'src/test-sshd.ts'],
  publicEntries: ['src/index.ts', 'src/test-sshd.ts'],
  // The script each actor runs on the remote host, its watchdog thread and the module hooks that apply a path map
  // there: one module each, found beside backend.js at run time.
  oneModule: { scripts: { child: 'src/child.ts', 'channel-watchdog': 'src/channel-watchdog.ts', 'path-hooks': 'src/path-hooks.ts' } },
})
