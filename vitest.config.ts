import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { SlowFirstSequencer } from "./test/helpers/slow-first-sequencer.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
    // One process per test file (files share process-wide state: nock, the blob and render
    // caches, the render sandbox's settings; `isolate: false` saves ~60 s of CPU but leaks nock's
    // interceptors into the raw-socket webhook tests). Twice as many at once as there are cores:
    // many files spend most of their time waiting on kustomize and git children or on the
    // simulator's real time (the demo test waits ~90 s), and one worker per core left the CPU
    // idle (measured on 2 cores: 210 s with 2 workers, 134 s with 4).
    pool: "forks",
    maxWorkers: availableParallelism() * 2,
    sequence: { sequencer: SlowFirstSequencer },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
