// `npm run demo` as a user runs it: the GitHub stand-in, the simulator and the app as separate
// processes, the whole story, exit 0, nothing left running. The requests the app made to the
// simulator must all be allowed by deploy/'s RBAC. (One file, one test: vitest runs it in
// parallel with the others; it takes about a minute on an idle machine.)
import { spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { groupAlive } from "../../scripts/child-processes.ts";
import { repoRoot } from "../helpers/repo-root.ts";
import { checkRequests, deployPermissions } from "../deploy/rbac.ts";

let running: ReturnType<typeof spawn> | undefined;
afterEach(() => {
  // A timed-out test must not leave the demo running: on SIGTERM it stops its process groups.
  if (running && running.exitCode === null) running.kill("SIGTERM");
});

it("npm run demo: the story end to end, exit 0, every process stopped, every cluster request allowed by deploy/'s RBAC", async () => {
  const dir = await mkdtemp(join(tmpdir(), "kustodian-demo-test-"));
  const child = spawn(process.execPath, ["scripts/demo.ts"], {
    cwd: repoRoot,
    env: { ...process.env, KUSTODIAN_DEMO_DIR: dir, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running = child;
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  expect(code, out).toBe(0);

  // The story, in order.
  const steps = [
    /GitHub stand-in on http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/,
    /cluster simulator on http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/,
    /kustodian \(npm start\) on http:\/\/127\.0\.0\.1:\d+ \(pid \d+\): \/readyz 200/,
    /@octo-dev opens PR #\d+ "Bump wordpress in staging/,
    /kustodian commits to bump-staging: \w+ kustodian: regenerate overlays\/staging/,
    /## kustodian rollout plan/,
    /check run kustodian\/plan: success/,
    /kustodian commits: \w+ kustodian: scale 4 wordpress staging/,
    /kustodian replies:/,
    /Argo CD Application wordpress-staging: Synced/,
    /rollout Healthy: Healthy \d+ s after the merge — Deployment wordpress 4\/4 updated, image wordpress:6\.7\.1-apache/,
    /@octo-dev opens PR #\d+ "Bump wordpress in prod to 6\.7\.1-bad"/,
    /readiness failed → kustodian reverts in git/,
    /Kustodian-Revert: prod/,
    /Rollout failed in \*\*prod\*\*/,
    /failure +/,
    /image: wordpress:6\.7\.1-bad/,
    /wordpress-prod runs wordpress:6\.5\.5-apache again/,
    /check run: failure/,
    /held-image/,
    /── summary ──/,
    /done: every process stopped/,
  ];
  let at = 0;
  for (const step of steps) {
    const m = step.exec(out.slice(at));
    expect(m, `missing after offset ${at}: ${step}\n${out}`).not.toBeNull();
    at += m!.index + m![0].length;
  }

  // Nothing left running: every process group the demo started is gone.
  const pids = [...out.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]));
  expect(pids).toHaveLength(3);
  // (A process that just died may be a zombie for a moment until it is reaped: allow 5 s.)
  const deadline = Date.now() + 5000;
  while (pids.some(groupAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(pids.filter(groupAlive)).toEqual([]);

  // Every request kustodian made to the simulator (watcher and Lease) is allowed by deploy/.
  const requests = (await readFile(join(dir, "cluster-requests.jsonl"), "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { method: string; path: string; watch: boolean; user?: string })
    .filter((r) => r.user !== "demo-narrator");
  expect(requests.length).toBeGreaterThan(10);
  expect(checkRequests(deployPermissions(), requests).denied).toEqual([]);
}, 600_000);
