import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { SlowFirstSequencer } from "./test/helpers/slow-first-sequencer.ts";

/**
 * Files that need a process of their own (isolate: true). Every other file shares its worker
 * process, and the modules that process has loaded, with the files before it (isolate: false):
 * no file pays again for loading Probot, Octokit, the webhook schemas and src/ (measured on 2
 * cores: ~95 s less CPU for the suite). Files must not leak into one another: they stop what they
 * start (servers, simulators, watches), restore what they change (nock's interceptors and
 * net-connect setting, the render sandbox's settings, environment variables, fake timers) and
 * empty the process-wide caches (blobs, renders) where they count calls.
 */
const ownProcess = [
  // Raw sockets to the webhook server: nock, once any file of the process has loaded it, sits on
  // every socket (its HTTP interceptor parses requests before they reach the server).
  "test/security/webhook-body-limit.test.ts",
  // Measures the longest stretch of CPU the event loop spends without a turn while a render is
  // parsed: a heap grown by other files would add garbage-collection pauses to it.
  "test/security/render-event-loop.test.ts",
];

export default defineConfig({
  test: {
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
    // Forked processes, twice as many at once as there are cores: many files spend most of their
    // time waiting on kustomize and git children or on the simulator's real time (the demo test
    // waits ~90 s), and one worker per core left the CPU idle (measured on 2 cores: 210 s with 2
    // workers, 134 s with 4).
    pool: "forks",
    maxWorkers: availableParallelism() * 2,
    sequence: { sequencer: SlowFirstSequencer },
    // Nets for a hang, not measurements: a file that builds with kustomize or starts processes can
    // take several times longer while other test runs share the machine (two full runs at once
    // must both pass), and nothing may fail for being slow.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: "shared", include: ["test/**/*.test.ts"], exclude: ownProcess, isolate: false } },
      { extends: true, test: { name: "own-process", include: ownProcess, isolate: true } },
    ],
  },
});
