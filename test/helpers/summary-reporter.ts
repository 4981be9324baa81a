// Prints plain closing lines that CI systems read: "tests: N passed, N failed, N skipped", then
// how long the run took ("test run: 58.2 s wall") so CI's log shows the suite's time.
import { performance } from "node:perf_hooks";
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  #started = performance.now();

  onInit(): void {
    this.#started = performance.now();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      if (module.state() === "failed" && module.children.size === 0) failed++;
    }
    const seconds = (performance.now() - this.#started) / 1000;
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    process.stdout.write(`test run: ${seconds.toFixed(1)} s wall, ${testModules.length} files\n`);
  }
}
