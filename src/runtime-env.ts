/**
 * \summary The process environment auscult is deployed with (deploy/auscult.service and the
 * Dockerfile set exactly these; a test keeps them in step, and `npm run bench` measures the
 * sensor under them).
 *
 * - `NODE_OPTIONS=--max-semi-space-size=4`: V8's young generation is two semi-spaces that grow to
 *   16 MB each under a fast allocator: 32 MB of RSS. 4 MB semi-spaces save 24 MB; the price is
 *   about four times as many scavenges, which cost 10–50 % of replay speed in the benchmark's
 *   runs (the `auscult (bare node)` row shows it each time). The trade is made for the 150 MB
 *   target. Only settable before V8 starts, hence the environment.
 * - `MALLOC_ARENA_MAX=2`: glibc gives every thread that mallocs (V8's compiler and GC helpers,
 *   libuv's pool) an arena of its own that is never returned; two arenas measured 10–20 MB less
 *   native memory.
 */
export const DEPLOYED_RUNTIME_ENV: Readonly<Record<string, string>> = Object.freeze({
  NODE_OPTIONS: '--max-semi-space-size=4',
  MALLOC_ARENA_MAX: '2',
});

/** `base` (default: this process's environment) with the deployed settings on top. */
export function deployedEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const nodeOptions = [base['NODE_OPTIONS'], DEPLOYED_RUNTIME_ENV['NODE_OPTIONS']].filter((s) => s !== undefined && s !== '').join(' ');
  return { ...base, ...DEPLOYED_RUNTIME_ENV, NODE_OPTIONS: nodeOptions };
}
