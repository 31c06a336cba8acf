import { describe, expect, test } from 'vitest'
import { IteratorFailed, pull } from '../src/actor/pull.js'

async function* count(n: number): AsyncGenerator<number, string> {
  for (let i = 0; i < n; i++) yield await Promise.resolve(i)
  return 'end'
}

function* countSync(n: number): Generator<number, string> {
  for (let i = 0; i < n; i++) yield i
  return 'end'
}

const always = (): boolean => true

describe('pull', () => {
  test('takes every item of an async generator and resolves with the result that ended it', async () => {
    const taken: unknown[] = []
    const end = await pull(count(5), (value) => taken.push(value) > 0, always)
    expect(taken).toEqual([0, 1, 2, 3, 4])
    expect(end).toEqual({ done: true, value: 'end' })
  })

  test('takes the items of a synchronous iterator in a loop, however many', async () => {
    let taken = 0
    let takenByFirstMicrotask = -1
    void Promise.resolve().then(() => (takenByFirstMicrotask = taken))
    const end = await pull(countSync(1_000_000), () => ++taken > 0, always)
    expect(taken).toBe(1_000_000)
    expect(takenByFirstMicrotask).toBe(1_000_000)
    expect(end).toEqual({ done: true, value: 'end' })
  })

  test('an item take hands back ends the pull with it; the next pull goes on after it', async () => {
    const iterator = count(6)
    const taken: unknown[] = []
    const take = (value: unknown): boolean => value !== 3 && taken.push(value) > 0
    expect(await pull(iterator, take, always)).toEqual({ done: false, value: 3 })
    expect(await pull(iterator, take, always)).toEqual({ done: true, value: 'end' })
    expect(taken).toEqual([0, 1, 2, 4, 5])
  })

  test('stops after the item when more() says so, without pulling the next', async () => {
    let pulled = 0
    const iterator: AsyncIterator<number> = { next: () => Promise.resolve({ done: false, value: pulled++ }) }
    let taken = 0
    const end = await pull(
      iterator,
      () => ++taken > 0,
      () => taken < 3,
    )
    expect(end).toBeUndefined()
    expect(taken).toBe(3)
    expect(pulled).toBe(3)
  })

  test('an iterator that throws or rejects fails the pull with IteratorFailed holding its error', async () => {
    const boom = new Error('boom')
    async function* failing(): AsyncGenerator<number> {
      yield await Promise.resolve(1)
      throw boom
    }
    const rejected = await pull(failing(), always, always).catch((error: unknown) => error)
    expect(rejected).toBeInstanceOf(IteratorFailed)
    expect((rejected as IteratorFailed).cause).toBe(boom)
    const throwing: Iterator<number> = {
      next: () => {
        throw boom
      },
    }
    const thrown = await pull(throwing, always, always).catch((error: unknown) => error)
    expect((thrown as IteratorFailed).cause).toBe(boom)
  })

  test('what take throws fails the pull as it is', async () => {
    const boom = new Error('take failed')
    const rejected = await pull(
      count(3),
      () => {
        throw boom
      },
      always,
    ).catch((error: unknown) => error)
    expect(rejected).toBe(boom)
  })

  test('a result that is not an object fails the pull with a TypeError (the iterator is still to be returned), never a hang', async () => {
    const sync = { next: () => undefined } as unknown as Iterator<number>
    const fromSync = await pull(sync, always, always).catch((error: unknown) => error)
    expect(fromSync).toBeInstanceOf(TypeError)
    expect(fromSync).not.toBeInstanceOf(IteratorFailed)
    const async = { next: () => Promise.resolve(undefined) } as unknown as AsyncIterator<number>
    expect(await pull(async, always, always).catch((error: unknown) => error)).toBeInstanceOf(TypeError)
  })

  test('follows an iterator whose results are thenables of its own', async () => {
    let i = 0
    const iterator = {
      // A careless thenable: it calls back at once, and twice. `await` would take its first answer, later.
      next: (): PromiseLike<IteratorResult<number>> => ({
        then: (resolve) => {
          const result = i < 3 ? { done: false as const, value: i++ } : { done: true as const, value: undefined }
          resolve?.(result)
          resolve?.(result)
          return Promise.resolve(undefined as never)
        },
      }),
    } as AsyncIterator<number>
    const taken: unknown[] = []
    expect(await pull(iterator, (value) => taken.push(value) > 0, always)).toEqual({ done: true, value: undefined })
    expect(taken).toEqual([0, 1, 2])
  })
})
