import { describe, expect, test } from 'vitest'
import { FLOW_WINDOW } from '../src/wire/flow.js'
import { Inbox } from '../src/wire/inbox.js'

function recording(): { inbox: Inbox<unknown>; grants: [number, number][] } {
  const grants: [number, number][] = []
  return { inbox: new Inbox((items, bytes) => grants.push([items, bytes])), grants }
}

describe('inbox', () => {
  test('items are taken in arrival order, undefined included, and credit is granted once half a window was taken', () => {
    const { inbox, grants } = recording()
    inbox.push(undefined, 3)
    for (let i = 1; i < FLOW_WINDOW / 2; i++) inbox.push(i, 10)
    expect(inbox.length).toBe(FLOW_WINDOW / 2)
    expect(inbox.take()).toBeUndefined()
    for (let i = 1; i < FLOW_WINDOW / 2 - 1; i++) expect(inbox.take()).toBe(i)
    expect(grants).toEqual([])
    expect(inbox.take()).toBe(FLOW_WINDOW / 2 - 1)
    expect(grants).toEqual([[FLOW_WINDOW / 2, 3 + (FLOW_WINDOW / 2 - 1) * 10]])
    expect(inbox.length).toBe(0)
  })

  test('a waiting reader wakes when an item arrives; several readers share one wake-up and each re-checks', async () => {
    const { inbox } = recording()
    const woken: string[] = []
    const first = inbox.wait().then(() => woken.push('first'))
    const second = inbox.wait().then(() => woken.push('second'))
    await Promise.resolve()
    expect(woken).toEqual([])
    inbox.push('x', 1)
    await Promise.all([first, second])
    expect(woken).toEqual(['first', 'second'])
    expect(inbox.take()).toBe('x')
  })

  test('closing wakes the readers, keeps what is buffered, and refuses what arrives later', async () => {
    const { inbox } = recording()
    const waiting = inbox.wait()
    inbox.close()
    await waiting
    expect(inbox.closed).toBe(true)

    const { inbox: full } = recording()
    full.push('kept', 1)
    full.close()
    full.push('late', 1)
    await full.wait()
    expect(full.length).toBe(1)
    expect(full.take()).toBe('kept')
  })

  test('clearing drops what is buffered without granting credit for it', () => {
    const { inbox, grants } = recording()
    for (let i = 0; i < FLOW_WINDOW; i++) inbox.push(i, 1)
    inbox.clear()
    expect(inbox.length).toBe(0)
    expect(grants).toEqual([])
  })

  test('a reader that waits on an empty inbox while the sender waits for credit grants the credit that doubles the window', async () => {
    const { inbox, grants } = recording()
    for (let i = 0; i < FLOW_WINDOW; i++) inbox.push(i, 1)
    inbox.blocked()
    while (inbox.length > 0) inbox.take()
    expect(grants).toEqual([
      [FLOW_WINDOW / 2, FLOW_WINDOW / 2],
      [FLOW_WINDOW / 2, FLOW_WINDOW / 2],
    ])
    const waiting = inbox.wait()
    expect(grants.at(-1)).toEqual([FLOW_WINDOW, 0])
    inbox.push('next', 1)
    await waiting
    // A reader that waits while items are on their way grants nothing more.
    inbox.take()
    const again = inbox.wait()
    expect(grants).toHaveLength(3)
    inbox.close()
    await again
  })

  test('a sender that says it waits while a reader already waits on an empty inbox grows the window at once', async () => {
    const { inbox, grants } = recording()
    for (let i = 0; i < FLOW_WINDOW; i++) inbox.push(i, 1)
    while (inbox.length > 0) inbox.take()
    const waiting = inbox.wait()
    expect(grants).toHaveLength(2)
    inbox.blocked()
    expect(grants.at(-1)).toEqual([FLOW_WINDOW, 0])
    inbox.close()
    await waiting
  })
})
