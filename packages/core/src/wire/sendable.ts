/** The sendability check: what may cross an actor boundary, refused at the call site with the path of the bad value. */

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
