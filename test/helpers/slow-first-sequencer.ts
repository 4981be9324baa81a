// Starts the longest test files first. On a clean clone vitest has no timings yet and orders by
// file size, which put the demo's end-to-end test (small file, ~90 s of real time) last: the
// run then waited for it alone for a minute and a half. Files named here start first, in this
// order; every other file keeps vitest's order (timings of earlier runs, else size).
import { BaseSequencer, type TestSpecification } from "vitest/node";

const slowest = [
  "test/demo/demo.test.ts",
  "test/rollout/after-merge.test.ts",
  "test/rollout/exactly-once.test.ts",
  "test/adopt/init.test.ts",
  "test/app/pull-request.test.ts",
  "test/rollout/known-good.test.ts",
  "test/cli/layout-cli.test.ts",
  "test/ops/endpoints.test.ts",
];

function rank(spec: TestSpecification): number {
  const index = slowest.findIndex((file) => spec.moduleId.endsWith(file));
  return index === -1 ? slowest.length : index;
}

export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Array.prototype.sort is stable: files of equal rank keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
