/** Module hooks for a remote actor with a path map: a `file:` URL under a local root is imported from the remote root. */

/** What the remote entry registers these hooks with. */
export interface PathHooksData {
  /** `file:` URL prefixes (ending in '/'), local → remote. */
  readonly pathMap: readonly (readonly [string, string])[]
}

type ResolveContext = { readonly parentURL?: string | undefined; readonly conditions: string[]; readonly importAttributes: Record<string, string> }
type ResolveResult = { readonly url: string; readonly format?: string | null | undefined; readonly shortCircuit?: boolean | undefined }
type NextResolve = (specifier: string, context?: ResolveContext) => ResolveResult | Promise<ResolveResult>

let pathMap: readonly (readonly [string, string])[] = []

/** Called once by `module.register` with the map. */
export function initialize(data: PathHooksData): void {
  pathMap = data.pathMap
}

/** Rewrite a mapped `file:` URL before Node resolves it. */
export function resolve(specifier: string, context: ResolveContext, next: NextResolve): ResolveResult | Promise<ResolveResult> {
  for (const [local, remote] of pathMap) {
    if (specifier.startsWith(local)) return next(remote + specifier.slice(local.length), context)
  }
  return next(specifier, context)
}
