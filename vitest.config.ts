import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
    // One process per test file (files share process-wide state: nock, the blob and render
    // caches, the render sandbox's settings), as many at once as there are cores: vitest's
    // default is one fewer, a single worker on a 2-core CI machine.
    pool: "forks",
    maxWorkers: availableParallelism(),
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
