/**
 * The parent's side of the bare baselines: a bare child process serving length-prefixed msgpackr frames on an
 * inherited socketpair or over an ssh session (fixtures/bare-child.mjs), and a bare worker on a MessagePort
 * (fixtures/bare-worker.mjs). Each offers what the scenarios time: one call, `n` calls in flight, and a stream of
 * `n` small messages.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { Duplex } from 'node:stream'
import { MessageChannel, Worker } from 'node:worker_threads'
import { channelCodec, unbatch } from './fixtures/codec.mjs'
import { FrameReader, frame } from './fixtures/frames.mjs'

export const BARE_CHILD = new URL('./fixtures/bare-child.mjs', import.meta.url)
export const BARE_WORKER = new URL('./fixtures/bare-worker.mjs', import.meta.url)

/**
 * `node bare-child.mjs <mode>` with a socketpair as fd 3, as the process backend spawns an actor. Resolves with
 * the child once its first byte arrived on fd 3; `elapsed` is the time from `spawn()` to that byte, in ms.
 * @param {'first-byte' | 'idle' | 'serve'} mode
 * @param {{ runtime?: { compileCache?: string } }} [options] `runtime`: the child loads harrow's child runtime before its
 * first byte, through Node's compile cache in `compileCache` where its runtime has one
 */
export async function bareChild(mode, { runtime } = {}) {
  const started = performance.now()
  const loads = runtime ? [`runtime=${runtime.compileCache ?? ''}`] : []
  const child = spawn(process.execPath, [BARE_CHILD.pathname, mode, ...loads], { stdio: ['ignore', 'inherit', 'inherit', 'pipe'] })
  const channel = child.stdio[3]
  const exited = once(child, 'exit')
  await once(channel, 'data')
  const elapsed = performance.now() - started
  return {
    child,
    channel,
    elapsed,
    /** Close the channel (the child exits when it closes) and wait until it is reaped. */
    async close() {
      channel.destroy()
      if (child.exitCode === null && child.signalCode === null) await exited
    },
  }
}

/**
 * `ssh <sshArgs> -- exec node bare-child.mjs <mode> split 3>&1 1>&2`: the bare child on the far end of an ssh
 * session, its channel the session's stdin and stdout as a harrow ssh actor's is. Resolves once its first byte
 * arrived; `elapsed` is the time from `spawn()` to that byte, in ms.
 * @param {'first-byte' | 'serve'} mode
 * @param {string[]} sshArgs ssh and its arguments up to and including the host
 * @param {{ hop?: boolean, runtime?: { compileCache?: string } }} [options] `hop`: the child reads its channel in a
 *   thread that posts each chunk to its main thread, as an ssh actor's channel watchdog does without a link; `runtime`: it loads
 *   harrow's child runtime before its first byte, as bareChild's does
 */
export async function bareSshChild(mode, sshArgs, options = {}) {
  const started = performance.now()
  const [file, ...args] = sshArgs
  const flags = [...(options.hop ? ['hop'] : []), ...(options.runtime ? [`runtime=${options.runtime.compileCache ?? ''}`] : [])]
  const remote = `exec ${process.execPath} ${BARE_CHILD.pathname} ${mode} split${flags.map((f) => ` ${f}`).join('')} 3>&1 1>&2`
  const child = spawn(file, [...args, '--', remote], { stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = once(child, 'exit')
  await once(child.stdout, 'data')
  const channel = Duplex.from({ readable: child.stdout, writable: child.stdin })
  const elapsed = performance.now() - started
  return {
    child,
    channel,
    elapsed,
    /** End the session's input (the child exits at EOF) and wait until the ssh client exits. */
    async close() {
      child.stdin.end()
      if (child.exitCode === null && child.signalCode === null) await exited
    },
  }
}

/** A bare child serving msgpackr frames: `call`, `inflight`, `stream`, `close`. Frames written in one tick go in one write. */
export async function rawPipe() {
  return rawServe(await bareChild('serve'))
}

/** {@link rawPipe} over an ssh session: the bare child runs at the other end of `sshArgs`. */
export async function rawSsh(sshArgs, options = {}) {
  return rawServe(await bareSshChild('serve', sshArgs, options))
}

/**
 * A raw client (rawPipe, rawSsh) whose `stream(n)` drains the child's async generator instead: a stream's floor.
 * `taskStorage`: the child drains it inside an AsyncLocalStorage's run(), as an actor runs a task.
 */
export function asGeneratorStream(client, { taskStorage = false } = {}) {
  return { ...client, stream: taskStorage ? client.taskStorageStream : client.generatorStream }
}

async function rawServe({ child, channel, close }) {
  const { encode, decode } = channelCodec()
  const reader = new FrameReader()
  const waiting = new Map()
  let nextCid = 1
  let items = 0
  let outgoing = []
  const flush = () => {
    const frames = outgoing
    outgoing = []
    channel.write(frame(frames))
  }
  const send = (message) => {
    if (outgoing.length === 0) process.nextTick(flush)
    outgoing.push(encode(message))
  }
  channel.on('data', (chunk) =>
    reader.push(chunk, (bytes) => {
      const message = decode(bytes)
      if (message[0] === 4) items++
      else if (message[0] === 7) items += message[2].length
      else {
        const resolve = waiting.get(message[1])
        waiting.delete(message[1])
        resolve(message[2])
      }
    }),
  )
  /** Send `[op, cid, ...fields]`; resolves with the value of the reply to cid. */
  const request = (op, ...fields) =>
    new Promise((resolve) => {
      const cid = nextCid++
      waiting.set(cid, resolve)
      send([op, cid, ...fields])
    })
  const call = (a, b) => request(3, a, b)
  /** Ask for n items with request `op` (5: frames written in batches, 8: the child's generator); resolves with how many came. */
  const collect = async (op, n) => {
    items = 0
    await request(op, n)
    return items
  }
  return {
    pid: child.pid,
    call,
    inflight: (n) => Promise.all(Array.from({ length: n }, (_, i) => call(i, 1))),
    stream: (n) => collect(5, n),
    /** n items drained from the child's async generator (an actor's `ticks`), in messages of 256: a stream's floor. */
    generatorStream: (n) => collect(8, n),
    /** The same, drained inside an AsyncLocalStorage's run(), as an actor runs a task. */
    taskStorageStream: (n) => collect(9, n),
    close,
  }
}

/**
 * A bare worker on a MessagePort of its own: a call is one structured-clone message each way; a stream arrives as
 * batches of msgpack frames in transferred ArrayBuffers, decoded here.
 */
export async function rawPort() {
  const { port1, port2 } = new MessageChannel()
  const worker = new Worker(BARE_WORKER, { workerData: { port: port2 }, transferList: [port2] })
  await once(port1, 'message')
  const { decode } = channelCodec()
  /** @type {((value: unknown) => void)[]} */
  const waiting = []
  let head = 0
  let items = 0
  let streamDone
  port1.on('message', (message) => {
    if (message instanceof ArrayBuffer) {
      unbatch(message, (bytes) => {
        decode(bytes)
        items++
      })
    } else if (message === 'done') streamDone()
    else {
      const resolve = waiting[head]
      waiting[head++] = undefined
      if (head === waiting.length) {
        waiting.length = 0
        head = 0
      }
      resolve(message)
    }
  })
  const call = (a, b) =>
    new Promise((resolve) => {
      waiting.push(resolve)
      port1.postMessage(['add', [a, b]])
    })
  return {
    threadId: worker.threadId,
    call,
    inflight: (n) => Promise.all(Array.from({ length: n }, (_, i) => call(i, 1))),
    async stream(n) {
      items = 0
      const done = new Promise((resolve) => (streamDone = resolve))
      port1.postMessage(['stream', n])
      await done
      return items
    },
    async close() {
      port1.close()
      await worker.terminate()
    },
  }
}

/**
 * A bare `new Worker()` to its first message; resolves with the time it took (ms) once the worker is gone again.
 * @param {{ runtime?: { compileCache?: string } }} [workerData] `runtime`: the thread loads harrow's child runtime first
 */
export async function bareWorkerOnce(workerData) {
  const started = performance.now()
  const worker = new Worker(BARE_WORKER, workerData ? { workerData } : {})
  await once(worker, 'message')
  const elapsed = performance.now() - started
  await worker.terminate()
  return elapsed
}
