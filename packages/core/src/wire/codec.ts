/** The value codec: msgpackr records with harrow's Error extension. */

// The `./pack` subpath is msgpackr's pure-JS build under Node. It is bundled into
// core's dist (see tsup.config.ts) because msgpackr keeps its extension table in
// module state: registering our Error extension on a copy the application shares
// would change how the application's own msgpackr encodes Errors.
import type * as msgpackrTypes from 'msgpackr'
import * as msgpackrPack from 'msgpackr/pack'
import { HARROW_ERROR_CLASSES } from '../shared/errors.js'

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
