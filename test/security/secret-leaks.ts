// What the secret-masking tests on the fake GitHub share: the app's log captured at debug level,
// a pull request whose staging environment sets one config value, and the requests sent to
// GitHub that carry a value (outside the file contents a commit carries back to the author's own
// branch, which are theirs).
import { Writable } from "node:stream";
import { pino } from "pino";
import { pullRequestEvent } from "../app/payloads.ts";
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

/** PR 7 from `branch`, whose staging environment sets `name: "value"` in its config; not yet delivered. Returns the head. */
export async function pullRequestSetting(h: Harness, branch: string, name: string, value: string, fork = false): Promise<string> {
  const headSha = await openBranch(h.dir, branch, (t) =>
    t.replace('WORDPRESS_DEBUG: "0"', `WORDPRESS_DEBUG: "0"\n      ${name}: "${value}"`),
  );
  h.github.pulls.set(7, { number: 7, title: "t", headRef: branch, baseRef: "main", fork, state: "open", merged: false, labels: [] });
  return headSha;
}

/** Delivers the PR's `opened` event and waits for kustodian's work on it. */
export async function deliverOpened(h: Harness, branch: string, headSha: string, fork = false): Promise<void> {
  await h.deliver("pull_request", pullRequestEvent({ action: "opened", headSha, baseSha: h.github.head("main"), headRef: branch, fork }));
  await h.settle();
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
