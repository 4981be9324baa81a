// How the kustodian server process runs in production, in one place. deploy/Dockerfile and
// `npm start` say the same (test/deploy/node-runtime.test.ts), and bench/watcher-scale.ts runs
// the rollout watcher with these settings, so the memory it reports is the deployed process's.
//
// Measured with 1,000 rollouts (README, Benchmarks): V8's young generation grows to tens of MB
// under a burst of watch events; capped at 4 MB semi-spaces the watcher's peak RSS falls by about
// 40% for about 25% more CPU time (1.1 -> 1.4 s over the merge, 6-8% of a core). glibc's
// per-thread malloc arenas hold freed memory (V8 and libuv threads): two arenas save 10-20 MB.
// A warm compile cache (filled when the image is built) means the TypeScript stripper is never
// loaded at start: about 17 MB.

/** Flags before the script: `node <flags> src/app/server.ts`. */
export const NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];

/** Environment of the server process (set in the image). */
export const NODE_ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };

/** Where the image keeps the compile cache it fills at build time (NODE_COMPILE_CACHE). */
export const IMAGE_COMPILE_CACHE = "/app/.node-compile-cache";

/** The module the image imports (without starting it) to fill the compile cache. */
export const SERVER_MODULE = "src/app/server.ts";
