/** Every scenario of `pnpm bench`, in the order they run and appear in BENCHMARKS.md. */
export const SCENARIOS = [
  'spawn',
  'call-worker',
  'call-process',
  'inflight',
  'stream',
  'teardown',
  'memory',
  'parent-memory',
  'forkserver-burst',
  'pool',
  'ssh',
]

/** Load one scenario module's default export. */
export async function loadScenario(id) {
  if (!SCENARIOS.includes(id)) throw new Error(`unknown scenario '${id}': one of ${SCENARIOS.join(', ')}`)
  return (await import(`./${id}.mjs`)).default
}

/** The cases a scenario runs, each in a fresh node process of its own. */
export function casesOf(scenario, options) {
  return scenario.cases ? scenario.cases(options) : [{ id: 'default' }]
}
