/** The request handler: each request runs it in a fresh process of its own. */

/** A request, as the root receives it. */
export interface Request {
  readonly id: number
  readonly user: string
  /** Makes this request's handler hit a fatal bug. */
  readonly poison?: boolean
}

/** What a handled request returns. */
export interface Response {
  readonly id: number
  readonly body: string
  readonly pid: number
  /** Requests this process has handled, this one included: always 1, since nothing is shared between requests. */
  readonly handledHere: number
}

let handledHere = 0
const cache = new Map<string, string>()

/** Handle one request. `cache` would leak one user's data to the next request if processes were reused. */
export async function handle(request: Request): Promise<Response> {
  handledHere++
  if (request.poison) {
    // A fatal bug (think of a native add-on crashing, or the OOM killer): the process dies on the spot.
    process.kill(process.pid, 'SIGKILL')
  }
  const seen = [...cache.keys()]
  cache.set(request.user, `secret of ${request.user}`)
  await new Promise((resolve) => setTimeout(resolve, 20)) // some I/O
  return {
    id: request.id,
    pid: process.pid,
    handledHere,
    body: `hello ${request.user}; users seen by this process before: ${seen.length ? seen.join(', ') : 'none'}`,
  }
}
