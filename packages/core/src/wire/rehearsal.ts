/**
 * A rehearsal of the protocol for warm children (a forkserver's pool, a worker backend's spares): the codec and the
 * message checks run once, on messages of every shape a spawn and its first call exchange, while the child is idle.
 */

import { boxError } from './box.js'
import { Codec } from './codec.js'
import { Op, TaskKind, asChildMessage, asParentMessage, type ActorIdentity, type ChildMessage, type ParentMessage } from './protocol.js'

/**
 * Encode, decode and check, once each, the messages a spawn and its first
 * call exchange (hello, spawn spec, ready, a call with its arguments, its
 * result, an error box). In a fresh process or thread V8 compiles each
 * function on its first call; a child booted ahead of need calls this while
 * idle so that the real spawn runs compiled code, about a millisecond less on
 * its critical path. It has no effect on any channel or on the runtime's
 * state.
 */
export function rehearseProtocol(): void {
  const self: ActorIdentity = { name: 'rehearsal', uid: 'rehearsal', spawnMethod: 'rehearsal', pid: process.pid }
  const spec: ParentMessage = [
    Op.Spec,
    {
      actor: self,
      parent: { ...self, name: 'parent' },
      enableModules: ['file:///rehearsal.js'],
      backends: { rehearsal: 'file:///rehearsal.js' },
      terminateAfter: 1000,
      maxFrameSize: 1024,
      tree: { rehearsal: { nested: [1, 'two', true, null] } },
    },
  ]
  const fromParent: ParentMessage[] = [
    spec,
    [Op.Start, 1, TaskKind.Call, [1, 'file:///rehearsal.js', 'f'], [1, 2.5, 'three', { four: [4] }]],
    [Op.Start, 2, TaskKind.Call, 1, []],
  ]
  const fromChild: ChildMessage[] = [[Op.Hello, 1, process.pid, 0], [Op.Ready], [Op.Return, 1, 3], [Op.Error, 2, boxError(new TypeError('rehearsal'), self)]]
  // Both ends, since an actor both sends and receives, and is a parent when it spawns.
  const [near, far] = [new Codec(), new Codec()]
  for (const message of fromParent) asParentMessage(far.decode(near.encode(message)))
  for (const message of fromChild) asChildMessage(near.decode(far.encode(message)))
}
