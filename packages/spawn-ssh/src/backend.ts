/**
 * The `'ssh'` backend: each actor is `ssh host -- exec node child.js <config>`
 * (or the user's launcher), its frames over the session's stdin/stdout, its
 * output over stderr.
 */

import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import type { Socket } from 'node:net'
import { isAbsolute } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PROTOCOL_VERSION } from '@harrow/core'
import { HOST_ENV, closedTransport, isDeno, socketTransport, type SpawnBackend, type SpawnedChild, type SpawnRequest } from '@harrow/core/backend'
import { privatePath, remoteCommand, sshPrefix, type ActorControl } from './command.js'
import { parentChannel, type ChannelSignal } from './control-frames.js'
import { HEARTBEAT_TIMEOUT, resolveSshOptions, type ResolvedSshOptions } from './options.js'
import { mapPath, pathMapUrls } from './path-map.js'
import { encodeConfig, type RemoteConfig } from './spawn-config.js'
import { sharedMasterPids, stopSharedMasters } from './shared-connections.js'
import { sessionStream } from './session-stream.js'
import { SshClientHandle } from './ssh-handle.js'
import { SSH_PACKAGE_VERSION, coreVersion } from './versions.js'
import { linkWatchdog, type WatchdogLink } from './watchdog-link.js'

const CHILD_ENTRY = fileURLToPath(new URL('./child.js', import.meta.url))

/** harrow's own environment variables, which travel to remote actors. */
const HARROW_PREFIX = 'HARROW_'

/**
 * The variables sent to the remote actor: ssh forwards no environment, and
 * the local one (PATH, HOME...) is not the remote host's, so only what the
 * actor's options changed travels (set, or unset as `null`), plus harrow's
 * own `HARROW_*` settings (log level, ssh defaults, test tokens).
 */
export function remoteEnv(env: Readonly<Record<string, string | undefined>>, local: NodeJS.ProcessEnv = process.env): Record<string, string | null> {
  const sent: Record<string, string | null> = {}
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && (value !== local[key] || key.startsWith(HARROW_PREFIX))) sent[key] = value
  }
  for (const key of Object.keys(local)) if (local[key] !== undefined && env[key] === undefined) sent[key] = null
  return sent
}

/** Hosts (as ssh is told to reach them) where a link to a watchdog failed: their actors' watchdogs read the channel. */
const linkRefused = new Set<string>()

/** How long after a failed link the actor must still run for its host to count as refusing links, in ms. */
const LINK_REFUSAL_SETTLE = 1000

function linkKey(options: ResolvedSshOptions): string {
  return JSON.stringify([options.host, options.port, options.user, options.configFile, options.options])
}

/** The host as the user named it, without `user@`: actors there, and errors relayed from there, are named by it. */
function hostOf(options: ResolvedSshOptions): string {
  return options.host.slice(options.host.lastIndexOf('@') + 1)
}

/** The argv of the remote child and the full local command that runs it. */
export function childCommand(
  request: SpawnRequest,
  options: ResolvedSshOptions,
  control?: ActorControl,
): { argv: string[]; command: string[]; entry: string; config: Buffer } {
  const pathMap = pathMapUrls(options.pathMap)
  const entry = mapPath(CHILD_ENTRY, pathMap)
  const cwd = options.cwd ?? (request.cwd === undefined ? undefined : mapPath(request.cwd, pathMap))
  const config: RemoteConfig = {
    name: request.name,
    maxFrameSize: request.maxFrameSize,
    versions: { core: coreVersion(), ssh: SSH_PACKAGE_VERSION, protocol: PROTOCOL_VERSION },
    env: { ...remoteEnv(request.env), [HOST_ENV]: hostOf(options) },
    ...(cwd === undefined ? {} : { cwd }),
    ...(pathMap.length === 0 ? {} : { pathMap }),
    // Only through ssh's remote shell are the session's fds rearranged (see remoteCommand); a launcher's command keeps fd 1.
    channelFd: options.launcher === undefined ? 3 : 1,
    heartbeatTimeout: options.heartbeatTimeout ?? HEARTBEAT_TIMEOUT,
    // Only ssh forwards a socket to the watchdog; a launcher's actors, and a host that refused, use the channel.
    watchdogLink: options.launcher === undefined && !linkRefused.has(linkKey(options)),
  }
  // Node flags travel (children inherit the parent's by default); absolute paths in them are mapped like modules.
  const execArgv = request.execArgv.map((arg) => (isAbsolute(arg) ? mapPath(arg, pathMap) : arg))
  // An actor's execPath names the executable on the remote host, as `ssh.node` does (and wins over it).
  const node = request.execPath === undefined ? (options.node ?? 'node') : mapPath(request.execPath, pathMap)
  // Deno runs a script as `deno run -A script`; its child_process adds that only for its own executable.
  const flags = isDeno(node) && execArgv[0] !== 'run' ? ['run', '-A', ...execArgv] : execArgv
  // The actor's name rides along only so that `ps` on the host shows which actor a process is; the config goes on stdin.
  const argv = [node, ...flags, entry, request.name]
  return { argv, command: remoteCommand(options, argv, control, cwd), entry, config: encodeConfig(config) }
}

/** Starts actors on other hosts through the system OpenSSH client (or a launcher command). */
export const sshBackend: SpawnBackend = {
  key: 'ssh',
  spawn(request: SpawnRequest): Promise<SpawnedChild> {
    const options = resolveSshOptions(request.options)
    const control = options.shareConnection === true ? undefined : { name: `a-${request.uid.slice(0, 8)}`, master: true }
    const { argv, command, entry, config } = childCommand(request, options, control)
    const [file, ...args] = command as [string, ...string[]]
    // Its own process group: Ctrl-C at the terminal must reach the root's cancel cascade, not cut the session under it.
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, windowsHide: true })
    // ssh removes its control socket when it exits, unless it was killed.
    if (control !== undefined) child.once('exit', () => rmSync(privatePath(control.name), { force: true }))
    const killControl = control === undefined ? undefined : { ...control, master: false }
    // Over the actor's own master connection (or the shared one): a kill or a forward needs no new handshake.
    const overConnection = sshPrefix(options, killControl)
    const runner = options.launcher ?? ((remote: string[]): string[] => [...overConnection, '--', remote.join(' ')])
    const { stdin, stdout } = child
    // First on the channel, before any frame: the remote entry reads it from stdin, exactly.
    stdin?.write(config)
    const heartbeatTimeout = options.heartbeatTimeout ?? HEARTBEAT_TIMEOUT
    const interval = heartbeatTimeout / 4
    // A parent that exits must not wait for the session: the actor sees EOF and leaves by itself.
    const session = stdin && stdout ? sessionStream(stdout, stdin) : undefined
    const transport = parentChannel(session ? socketTransport(session.stream, { maxFrameSize: request.maxFrameSize }) : closedTransport(), interval)
    // Signals go on the channel while it is open (core closes it only once it is done with the actor) and the session
    // still reads; otherwise the handle signals the remote process another way.
    const channelSignal = (signal: ChannelSignal): boolean => session?.writing === true && transport.signal(signal)
    const isSsh = options.launcher === undefined
    const link = (remotePath: string): Promise<WatchdogLink> =>
      linkWatchdog({
        control: overConnection,
        remotePath,
        localPath: privatePath(`a-${request.uid.slice(0, 8)}.w`),
        interval,
        timeout: heartbeatTimeout / 2,
        shared: options.shareConnection === true,
      }).catch((error: unknown) => {
        // A server without stream-local forwarding closes the forward as a dead actor's would: only if the actor still
        // runs a moment later was it refused, and this host's next actors do not ask.
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) linkRefused.add(linkKey(options))
        }, LINK_REFUSAL_SETTLE).unref()
        throw error
      })
    const proc = new SshClientHandle(child, {
      host: options.host,
      node: argv[0] as string,
      entry,
      runner,
      channelSignal,
      isSsh,
      ...(isSsh ? { link } : {}),
    })
    return Promise.resolve({
      proc,
      transport,
      host: hostOf(options),
      unref() {
        child.unref()
        // Node's pipes are sockets, typed as plain streams; Bun's have no unref() (and do not hold its loop).
        for (const pipe of [child.stdin, child.stdout, child.stderr]) (pipe as Partial<Socket> | null)?.unref?.()
      },
    })
  },
  infrastructurePids: sharedMasterPids,
  shutdown() {
    stopSharedMasters()
    return Promise.resolve()
  },
}
