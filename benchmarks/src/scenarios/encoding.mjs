/**
 * Structured clone versus msgpack bytes over a MessagePort, for harrow's
 * message mix: which way should the worker backend carry frames?
 */
import { once } from 'node:events'
import { MessageChannel, Worker } from 'node:worker_threads'
import { batch, channelCodec, detachable } from '../fixtures/codec.mjs'
import { sample, summarize } from '../stats.mjs'

const ECHO = new URL('../fixtures/encoding-echo-worker.mjs', import.meta.url)
const MODULE = 'file:///srv/app/dist/tasks.js'

/** Representative messages, as harrow's protocol shapes them (see packages/core/src/protocol.ts). */
export const MESSAGES = {
  'call add(1, 2)': [3, 17, 0, MODULE, 'add', [1, 2]],
  'return 3': [6, 17, 3],
  'call with a 40-record array': [
    3,
    18,
    0,
    MODULE,
    'ingest',
    [Array.from({ length: 40 }, (_, i) => ({ id: i, name: `user-${i}`, tags: ['a', 'b'], score: i / 3, active: i % 2 === 0 }))],
  ],
  'return a 1 MiB Uint8Array': [6, 19, new Uint8Array(1 << 20).fill(7)],
}

const BURST = 1000

async function roundTrips(port, strategy, message, runs) {
  const codec = channelCodec()
  port.postMessage(strategy)
  await once(port, 'message')
  const next = () => once(port, 'message').then(([reply]) => reply)
  const send = {
    clone: () => port.postMessage(message),
    'bytes-view': () => port.postMessage(codec.encode(message)),
    'bytes-copy': () => port.postMessage(codec.encode(message).slice()),
    'bytes-transfer': () => {
      const ab = detachable(codec.encode(message))
      port.postMessage(ab, [ab])
    },
  }[strategy]
  const receive =
    strategy === 'clone' ? (reply) => reply : strategy === 'bytes-transfer' ? (reply) => codec.decode(new Uint8Array(reply)) : (reply) => codec.decode(reply)
  return sample(
    async () => {
      const reply = next()
      send()
      receive(await reply)
    },
    { runs, warmup: Math.min(200, runs) },
  )
}

async function bursts(port, strategy, runs) {
  const codec = channelCodec()
  port.postMessage(strategy)
  await once(port, 'message')
  const items = Array.from({ length: BURST }, (_, i) => [4, 5, { i, last: i === BURST - 1 }])
  const send = {
    'burst-clone': () => {
      for (const item of items) port.postMessage(item[2])
    },
    'burst-transfer-each': () => {
      for (const item of items) {
        const ab = detachable(codec.encode(item[2]))
        port.postMessage(ab, [ab])
      }
    },
    'burst-batch': () => {
      const ab = batch(items.map((item) => codec.encode(item[2])))
      port.postMessage(ab, [ab])
    },
  }[strategy]
  return sample(
    async () => {
      const done = once(port, 'message')
      send()
      await done
    },
    { runs, warmup: 20 },
  )
}

/**
 * Measure every strategy on every message of the mix, in one worker.
 * @param {{ runs?: number }} [options]
 */
export async function encodingScenario({ runs = 2000 } = {}) {
  const { port1, port2 } = new MessageChannel()
  const worker = new Worker(ECHO, { workerData: { port: port2 }, transferList: [port2] })
  try {
    const rows = []
    for (const [name, message] of Object.entries(MESSAGES)) {
      const n = name.includes('MiB') ? Math.min(runs, 200) : runs
      for (const strategy of ['clone', 'bytes-view', 'bytes-copy', 'bytes-transfer']) {
        rows.push({ message: name, strategy, ...(await roundTrips(port1, strategy, message, n)) })
      }
    }
    for (const strategy of ['burst-clone', 'burst-transfer-each', 'burst-batch']) {
      rows.push({ message: `${BURST} stream items in one tick`, strategy, ...(await bursts(port1, strategy, Math.min(runs, 200))) })
    }
    return rows
  } finally {
    port1.close()
    await worker.terminate()
  }
}

export { summarize }
