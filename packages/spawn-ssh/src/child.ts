/**
 * The script each ssh actor runs on the remote host: reads its spawn config
 * from stdin, applies the environment it was sent, checks that its harrow is
 * the parent's, applies the working directory and path map, then runs core's actor runtime
 * over the session's stdin and stdout (moved to fd 3 by the remote shell).
 * The actor's own stdout is carried, marked, on stderr, so nothing but frames
 * is ever written to the channel.
 */

import { register } from 'node:module'
import { Duplex, Readable, Writable } from 'node:stream'
import { Worker } from 'node:worker_threads'
import { readChannel, readUntilWatchdog } from './channel-readers.js'
import { channelOwner } from './channel-owner.js'
import type { WatchdogCommand, WatchdogData, WatchdogMessage } from './channel-watchdog.js'
import { EXIT_BAD_CONFIG, EXIT_VERSION_MISMATCH, FATAL_LINE, PID_LINE, STDOUT_MARK, WATCH_LINE, readConfig, type RemoteConfig } from './spawn-config.js'
import { SSH_PACKAGE_VERSION, coreVersion } from './versions.js'
import { HeartbeatLostError, droppingControlFrames, type SignalDelivery } from './control-frames.js'

/** How much longer than the actor's own orphan teardown the watchdog waits before it kills the process, in ms. */
const WATCHDOG_SLACK = 1000

function fatal(code: number, reason: string): never {
  process.stderr.write(`${FATAL_LINE}${reason}\n`)
  process.exit(code)
}

let config: RemoteConfig
try {
  config = readConfig(0)
} catch (error) {
  fatal(EXIT_BAD_CONFIG, `cannot read the spawn config: ${(error as Error).message}`)
}

// The channel's fd carries frames only. The actor's stdout travels on stderr, each chunk marked, and the parent puts it
// back on its own stdout.
const stdout = new Writable({
  write(chunk: Buffer, _encoding, done) {
    if (chunk.length === 0) return done()
    process.stderr.write(`${STDOUT_MARK}${chunk.toString('base64')}\n`, () => done())
  },
})
Object.defineProperty(process, 'stdout', { configurable: true, enumerable: true, get: () => stdout })

let core: string
try {
  core = coreVersion()
} catch {
  fatal(EXIT_VERSION_MISMATCH, `@harrow/core is not installed beside @harrow/spawn-ssh ${SSH_PACKAGE_VERSION} on this host`)
}
// The actor's environment first: it decides whether core's runtime and the user's modules load through Node's compile
// cache (turned on once core's backend entry, which has the helper, is loaded).
for (const [key, value] of Object.entries(config.env)) {
  if (value === null) delete process.env[key]
  else process.env[key] = value
}
const { enableCompileCache, inheritedChannel, socketTransport } = await import('@harrow/core/backend')
// Typed as always there, but a core of another version on this host may lack it: the check below then says why.
if (typeof enableCompileCache === 'function') enableCompileCache()
const { PROTOCOL_VERSION } = await import('@harrow/core/child')
if (core !== config.versions.core || SSH_PACKAGE_VERSION !== config.versions.ssh || PROTOCOL_VERSION !== config.versions.protocol) {
  fatal(
    EXIT_VERSION_MISMATCH,
    `harrow versions differ: the parent has @harrow/core ${config.versions.core}, @harrow/spawn-ssh ${config.versions.ssh}, protocol ${config.versions.protocol}; ` +
      `this host has @harrow/core ${core}, @harrow/spawn-ssh ${SSH_PACKAGE_VERSION}, protocol ${PROTOCOL_VERSION}`,
  )
}

if (config.cwd !== undefined) {
  try {
    process.chdir(config.cwd)
  } catch (error) {
    fatal(1, `cannot enter the working directory ${config.cwd}: ${(error as Error).message}`)
  }
}
if (config.pathMap && config.pathMap.length > 0) register(new URL('./path-hooks.js', import.meta.url), { data: { pathMap: config.pathMap } })

process.stderr.write(`${PID_LINE}${process.pid}\n`)

const { runActor, exitAfterFlush, ORPHAN_TERMINATE_AFTER } = await import('@harrow/core/child')
const output = inheritedChannel(config.channelFd ?? 1, { readable: false })

// The parent's frames are read by a watchdog thread, which ends this process when the parent is gone even if the
// actor's JavaScript is wedged (a lost session sends no signal to a command run without a pty). While it boots, this
// thread reads them (see channel-owner.ts). Over ssh, once the parent has linked to the watchdog by a socket of its own
// (see watchdog-link.ts), this thread reads them for good. Only on Node: elsewhere the descriptor may stay blocking,
// and a read would stall this thread, so there the watchdog reads from the start, and keeps reading.
const onNode = process.versions.bun === undefined && process.versions.deno === undefined
const owner = channelOwner(!onNode)
const input = new Readable({ read() {} })
let ended = false
// Bytes pushed to the transport, so that the signal frames this thread reads itself are told from the watchdog's.
let pushed = 0
const push = (chunk: Uint8Array): void => {
  if (ended) return
  pushed += chunk.length
  input.push(chunk)
}
const end = (error?: Error): void => {
  if (ended) return
  ended = true
  if (error === undefined) input.push(null)
  else input.destroy(error)
}
const watchdog = new Worker(new URL('./channel-watchdog.js', import.meta.url), {
  workerData: {
    fd: 0,
    owner,
    link: onNode && config.watchdogLink === true,
    heartbeatTimeout: config.heartbeatTimeout,
    grace: ORPHAN_TERMINATE_AFTER + WATCHDOG_SLACK,
    maxFrameSize: config.maxFrameSize,
  } satisfies WatchdogData,
})
const inputEnded = (error?: Error): void => {
  // The watchdog may not have the channel (yet, or any more): it arms its kill for a wedged actor all the same.
  watchdog.postMessage({ lost: 'eof' } satisfies WatchdogCommand)
  end(error)
}
// Signal frames the parent sent on the channel before it knew of the link reach this thread, which acts on them.
const signals: SignalDelivery = { from: Infinity, deliver: (signal) => process.kill(process.pid, signal) }
// Not unreferenced: the watchdog, reading the channel, is what keeps this process alive (on Bun the channel's `fs`
// streams do not); the actor leaves through `exit`, which ends the thread too.
watchdog.on('message', (message: WatchdogMessage) => {
  if (message instanceof Uint8Array) push(message)
  else if ('watching' in message) {
    // The parent sends terminate and kill on the channel from now on; before, by a second ssh command, since no thread
    // that is sure to run (this one may be wedged) looked for them.
    process.stderr.write(`${WATCH_LINE}\n`)
  } else if ('mainReads' in message) {
    signals.from = pushed
    readChannel(0, { data: push, end: inputEnded })
  } else if (message.lost === 'eof') end()
  else end(new HeartbeatLostError(config.heartbeatTimeout))
})
watchdog.on('error', (error) => end(error))
if (onNode) {
  readUntilWatchdog(0, owner, config.maxFrameSize, {
    data: push,
    end: inputEnded,
    handedOver: (pending) => watchdog.postMessage({ pending } satisfies WatchdogCommand),
  })
}
const channel = Duplex.from({ readable: input, writable: output })

runActor({
  transport: droppingControlFrames(socketTransport(channel, { maxFrameSize: config.maxFrameSize }), signals),
  exit: (code) => exitAfterFlush(code, output),
  handleSignals: true,
})
