// What the secret-masking tests on the fake GitHub share: the app's log captured at debug level,
// a branch whose staging environment sets one config value, and the requests sent to
// GitHub that carry a value (outside the file contents a commit carries back to the author's own
// branch, which are theirs).
import { Writable } from "node:stream";
import { pino } from "pino";
import { openBranch, startHarness, type Harness } from "../app/harness.ts";

/** The harness, its app logging at debug level into `lines` (one entry per log line). */
export async function startHarnessCapturingLogs(): Promise<{ h: Harness; lines: string[] }> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { h: await startHarness({}, { log: pino({ level: "debug" }, sink) }), lines };
}

/** A branch whose staging environment sets `name: "value"` in its config; returns its head. */
export async function branchSetting(h: Harness, branch: string, name: string, value: string): Promise<string> {
  return openBranch(h.dir, branch, (t) => t.replace('WORDPRESS_DEBUG: "0"', `WORDPRESS_DEBUG: "0"\n      ${name}: "${value}"`));
}

/** The bodies of the requests sent to GitHub that contain `value`, a commit's file contents left out. */
export function requestsCarrying(h: Harness, value: string): unknown[] {
  return h.github.calls
    .map((call) => {
      const body = structuredClone(call.body) as { input?: { fileChanges?: unknown } } | undefined;
      if (body?.input?.fileChanges) body.input.fileChanges = "(file contents)";
      return body;
    })
    .filter((body) => JSON.stringify(body ?? "").includes(value));
}
