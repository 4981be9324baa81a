// How the kustodian server process runs in production, in one place. deploy/Dockerfile and
// `npm start` say the same (test/deploy/node-runtime.test.ts), and bench/watcher-scale.ts runs
// the rollout watcher with these settings, so the memory it reports is the deployed process's.
//
// Measured with 1,000 rollouts (README, Benchmarks; idle 2-core machine), peak RSS of the watcher
// process: 331-360 MB on plain node, 168-178 MB with these settings, for about 70% more CPU time
// during the merge's burst of watch events (1.1 -> 1.9 s, 11% of a core; verdict latency p99
// still 0.12-0.17 s). What each does:
// - 4 MB semi-spaces: V8's young generation otherwise grows to tens of MB under the burst.
// - a 384 MB old space: below the Deployment's 512Mi limit (the kustomize children count too), so
//   V8 collects before the kernel kills the container; a heap limit under 1 GB also makes V8
//   grow the heap by smaller steps (its growing factor scales with the limit), so the garbage of
//   replaced informer objects is collected sooner. `--optimize-for-size` would save 15 MB more but
//   makes the PR plan 20% slower (bench/plan-scale.ts: 1.63 against the 1.5 goal), so not that.
// - one malloc arena (glibc): the per-thread arenas of V8's and libuv's threads keep freed memory;
//   the server's threads allocate little, so they do not contend.
// - a warm compile cache (filled when the image is built): the TypeScript stripper is never
//   loaded at start, about 17 MB.

/** Flags before the script: `node <flags> src/app/server.ts`. */
export const NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4", "--max-old-space-size=384"];

/** Environment of the server process (set in the image). */
export const NODE_ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "1" };

/** Where the image keeps the compile cache it fills at build time (NODE_COMPILE_CACHE). */
export const IMAGE_COMPILE_CACHE = "/app/.node-compile-cache";

/** The module the image imports (without starting it) to fill the compile cache. */
export const SERVER_MODULE = "src/app/server.ts";

/** `node` arguments that start the server as the image does (the demo and the revert benchmark). */
export const SERVER_ARGS: readonly string[] = [...NODE_FLAGS, SERVER_MODULE];
