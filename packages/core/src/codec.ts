/** The value codec: msgpackr records with harrow's Error extension, and the sendability check. */

// The `./pack` subpath is msgpackr's pure-JS build under Node. It is bundled into
// core's dist (see tsup.config.ts) because msgpackr keeps its extension table in
// module state: registering our Error extension on a copy the application shares
// would change how the application's own msgpackr encodes Errors.
import type * as msgpackrTypes from 'msgpackr'
import * as msgpackrPack from 'msgpackr/pack'
import { HARROW_ERROR_CLASSES } from './errors.js'

// msgpackr's `./pack` typings re-export from '.', which NodeNext cannot follow; its main typings describe the same API.
const { Packr, Unpackr, addExtension } = msgpackrPack as unknown as typeof msgpackrTypes

const ERROR_EXT = 0x45 // 'E'

const BUILTIN_ERRORS: Readonly<Record<string, ErrorConstructor>> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
}

type ErrorWire = [
  name: string,
  message: string,
  stack: string | undefined,
  hasCause: boolean,
  cause: unknown,
  fields: Record<string, unknown> | undefined,
  errors: unknown[] | undefined,
]

function writeError(error: Error): ErrorWire {
  const keys = Object.keys(error)
  let fields: Record<string, unknown> | undefined
  if (keys.length > 0) {
    fields = {}
    for (const key of keys) fields[key] = (error as unknown as Record<string, unknown>)[key]
  }
  const errors = error instanceof AggregateError ? [...(error.errors as unknown[])] : undefined
  return [error.name, error.message, error.stack, 'cause' in error, error.cause, fields, errors]
}

function readError([name, message, stack, hasCause, cause, fields, errors]: ErrorWire): Error {
  const harrowClass = HARROW_ERROR_CLASSES[name]
  let error: Error
  if (errors !== undefined) {
    error = new AggregateError(errors, message)
  } else {
    error = new (BUILTIN_ERRORS[name] ?? Error)(message)
  }
  if (harrowClass) Object.setPrototypeOf(error, harrowClass.prototype as object)
  if (error.name !== name) Object.defineProperty(error, 'name', { value: name, writable: true, configurable: true, enumerable: false })
  if (stack === undefined) delete error.stack
  else Object.defineProperty(error, 'stack', { value: stack, writable: true, configurable: true, enumerable: false })
  if (hasCause) Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true, enumerable: false })
  if (fields) Object.assign(error, fields)
  return error
}

addExtension({ Class: Error, type: ERROR_EXT, write: writeError, read: readError })

// A fresh object per instance: msgpackr keeps its record state on the options it is given.
const codecOptions = (): msgpackrTypes.Options => ({
  useRecords: true,
  sequential: true,
  mapsAsObjects: false,
  moreTypes: true,
  // Decoded bytes must not pin the whole transport chunk they arrived in.
  copyBuffers: true,
})

/**
 * The codec of one channel. Objects travel as msgpackr records, whose shapes
 * are defined once per channel and then referenced (`sequential`), so plain
 * objects and `Map`s (msgpack maps, any keys) stay distinct. Each end of a
 * channel needs its own `Codec`, used for every frame in order.
 */
export class Codec {
  // Two instances: in sequential mode each direction has its own record shapes.
  readonly #packr = new Packr(codecOptions())
  readonly #unpackr = new Unpackr(codecOptions())

  /** Encode one message. The value must have passed {@link assertSendable}. */
  encode(value: unknown): Uint8Array {
    return this.#packr.pack(value)
  }

  /**
   * Decode one message.
   *
   * @throws Error when the bytes are not one whole msgpack value.
   */
  decode(bytes: Uint8Array): unknown {
    return this.#unpackr.unpack(bytes)
  }
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`
  if (typeof value === 'symbol') return `a symbol (${value.toString()})`
  const ctor = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor
  return `an instance of ${ctor?.name || 'an unknown class'}`
}

function formatPath(root: string, path: readonly (string | number)[]): string {
  let out = root
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`
    else if (/^[A-Za-z_$][\w$]*$/.test(step)) out += `.${step}`
    else if (step.startsWith('<')) out += step
    else out += `[${JSON.stringify(step)}]`
  }
  return out
}

const SENDABLE = 'plain objects, arrays, primitives (with undefined and bigint), Map, Set, Date, RegExp, ArrayBuffer, typed arrays, Buffer and Error'

/**
 * Throw a `TypeError` naming where `value` holds something that cannot cross
 * an actor boundary: a function, a symbol, a class instance, a symbol-keyed
 * property or a circular reference. `root` names the value in the message
 * (`'args'`, `'return value'`).
 *
 * @throws TypeError naming the path of the first bad value.
 */
export function assertSendable(value: unknown, root: string): void {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function' || typeof value === 'symbol') throw unsendable(root, [], value)
    return
  }
  // The common case on the hot path, an array of primitives (call arguments), needs no walk at all.
  if (Array.isArray(value) && value.every(isPlainPrimitive)) return
  walk(value, root, [], new Set())
}

function isPlainPrimitive(item: unknown): boolean {
  const type = typeof item
  return type !== 'object' && type !== 'function' && type !== 'symbol'
}

function unsendable(root: string, path: readonly (string | number)[], value: unknown): TypeError {
  return new TypeError(`cannot send ${describe(value)} at ${formatPath(root, path)}: only ${SENDABLE} cross an actor boundary`)
}

function walk(value: unknown, root: string, path: (string | number)[], seen: Set<object>): void {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function' || typeof value === 'symbol') throw unsendable(root, path, value)
    return
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp) return
  if (seen.has(value)) throw new TypeError(`cannot send a circular reference at ${formatPath(root, path)}`)
  seen.add(value)
  const proto: unknown = Object.getPrototypeOf(value)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (typeof item === 'object' ? item !== null : typeof item === 'function' || typeof item === 'symbol') {
        path.push(i)
        walk(item, root, path, seen)
        path.pop()
      }
    }
  } else if (proto === Object.prototype || proto === null) {
    if (Object.getOwnPropertySymbols(value).length > 0) throw new TypeError(`cannot send a symbol-keyed property at ${formatPath(root, path)}`)
    for (const key of Object.keys(value)) {
      path.push(key)
      walk((value as Record<string, unknown>)[key], root, path, seen)
      path.pop()
    }
  } else if (proto === Map.prototype) {
    let i = 0
    for (const [key, item] of value as Map<unknown, unknown>) {
      path.push(`<Map key #${i}>`)
      walk(key, root, path, seen)
      path.pop()
      path.push(`<Map value #${i}>`)
      walk(item, root, path, seen)
      path.pop()
      i++
    }
  } else if (proto === Set.prototype) {
    let i = 0
    for (const item of value as Set<unknown>) {
      path.push(`<Set item #${i++}>`)
      walk(item, root, path, seen)
      path.pop()
    }
  } else if (value instanceof Error) {
    if ('cause' in value) {
      path.push('cause')
      walk(value.cause, root, path, seen)
      path.pop()
    }
    if (value instanceof AggregateError) {
      path.push('errors')
      walk(value.errors, root, path, seen)
      path.pop()
    }
    for (const key of Object.keys(value)) {
      path.push(key)
      walk((value as unknown as Record<string, unknown>)[key], root, path, seen)
      path.pop()
    }
  } else {
    throw unsendable(root, path, value)
  }
  seen.delete(value)
}
