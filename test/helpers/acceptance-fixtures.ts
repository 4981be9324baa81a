// Acceptance tests that read reference fixtures from ../shared (outside the repository). Without
// them a local run skips those tests; in CI (the CI environment variable set, as .ci/run does) a
// missing fixture directory is a failing test instead, so a CI run can never pass having skipped
// them.
import { it } from "vitest";

/** Whether the CI environment variable says this is a CI run. */
export const inCI = (process.env.CI ?? "") !== "" && process.env.CI !== "false";

/**
 * `skip` for `describe.skipIf(skip)` around the acceptance tests on `what`: true only outside CI
 * when the fixtures are missing. In CI with fixtures missing, registers a failing test saying so.
 */
export function acceptanceFixtures(present: boolean, what: string): { skip: boolean } {
  if (!present && inCI) {
    it(`has the acceptance fixtures ${what} (CI is set: they must not be skipped)`, () => {
      throw new Error(`${what} is missing: check out the shared fixtures next to the repository (../shared)`);
    });
  }
  return { skip: !present && !inCI };
}
