/** A path map (local root → remote root) as `file:` URL prefixes, and applying it to a local path. */

import { isAbsolute } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

function rootUrl(root: string): string {
  const href = root.startsWith('file:') ? new URL(root).href : isAbsolute(root) ? pathToFileURL(root).href : undefined
  if (href === undefined) throw new TypeError(`ssh pathMap roots must be absolute paths or file: URLs, got '${root}'`)
  return href.endsWith('/') ? href : `${href}/`
}

/**
 * The map as `file:` URL prefixes, longest local root first (so a nested root wins).
 *
 * @throws TypeError when a root is not absolute.
 */
export function pathMapUrls(map: Readonly<Record<string, string>> | undefined): [string, string][] {
  if (map === undefined) return []
  return Object.entries(map)
    .map(([local, remote]): [string, string] => [rootUrl(local), rootUrl(remote)])
    .sort((a, b) => b[0].length - a[0].length)
}

/** Where a local file is on the remote host under the map (the same path when no root covers it). */
export function mapPath(path: string, urls: readonly (readonly [string, string])[]): string {
  const href = pathToFileURL(path).href
  for (const [local, remote] of urls) {
    if (href.startsWith(local)) return fileURLToPath(remote + href.slice(local.length))
  }
  return path
}
