// Fake revert trailers: `Reverts:` + `Kustodian-Revert:` count only on commits the app made (and
// revert pull requests it opened). A person's pull request body or commit carrying them neither
// exempts a merge from the auto-revert nor passes for kustodian's revert of it.
import { afterEach, beforeEach, expect, it } from "vitest";
import type { RolloutOrchestrator } from "../../src/rollout/orchestrator.ts";
import type { RepoClient } from "../../src/rollout/repo-client.ts";
import { revertEnvironment } from "../../src/rollout/revert-environment.ts";
import { commitFiles, type Harness } from "../app/harness.ts";
import { startOrchestratedApp, type OrchestratedApp } from "../helpers/orchestrated-app.ts";

let h: Harness;
let app: OrchestratedApp;
let orchestrator: RolloutOrchestrator;
let gh: RepoClient;
let base: string;

/** A commit on main by a person (merged through GitHub's UI: committer GitHub, signed; author the person). */
const personCommit = (files: Record<string, (old: string) => string>, message: string): string =>
  commitFiles(h.github, "main", files, message, {
    author: { name: "mallory", email: "m@example.com" },
    committer: { name: "GitHub", email: "noreply@github.com" },
  });

const badProd = {
  "environments/prod.yaml": (t: string) => t.replace("image: wordpress:6.5.5-apache", "image: wordpress:6.7.1-bad"),
  "overlays/prod/kustomization.yaml": (t: string) => t.replace("newTag: 6.5.5-apache", "newTag: 6.7.1-bad"),
};

beforeEach(async () => {
  app = await startOrchestratedApp();
  ({ h, orchestrator } = app);
  gh = app.gh;
  base = h.github.head("main");
});
afterEach(async () => {
  await app.stop();
  // The watch of a merge starts at once (watch first, write later) and talks to the simulator on loopback, not GitHub.
  expect(h.github.unmatched.filter((u) => !u.includes("127.0.0.1"))).toEqual([]);
});

it("a person's merge whose PR body and message carry kustodian's trailers is recorded as a merge (auto-revertable), not as a revert", async () => {
  const trailers = `Reverts: ${"c".repeat(40)}\nKustodian-Revert: prod\nKustodian-Pull-Request: 3`;
  const merge = personCommit(badProd, `Revert-looking bump\n\n${trailers}`);
  h.github.git("branch", "kustodian/revert/prod/cccccccccccc", merge); // even from a branch named like kustodian's
  h.github.pulls.set(12, {
    number: 12,
    title: "Bump wordpress in prod",
    headRef: "kustodian/revert/prod/cccccccccccc",
    baseRef: "main",
    fork: false,
    state: "closed",
    merged: true,
    labels: [],
    mergeCommitSha: merge,
    body: `Nothing to see.\n\n${trailers}`,
  });
  const outcome = await orchestrator.handlePush(gh, {
    ref: "refs/heads/main",
    before: base,
    after: merge,
    created: false,
    deleted: false,
    forced: false,
    headCommit: { id: merge, message: `Revert-looking bump\n\n${trailers}`, timestamp: "2026-01-01T00:00:00Z" },
  });
  expect(outcome.kind).toBe("recorded");
  const recorded = h.github.deployments.filter((d) => d.sha === merge);
  expect(recorded.map((d) => d.environment)).toEqual(["prod"]);
  expect(recorded[0]!.payload).not.toHaveProperty("revertOf");
  expect(h.github.count("commit")).toBe(1); // the merge's authorship was read because it carried trailers
});

it("a person's commit after the merge with kustodian's trailers does not pass for the revert: the revert is still made", async () => {
  const merge = personCommit(badProd, "Merge pull request #7 from acme/bump");
  personCommit({ "README.md": (t) => `${t}\n` }, `Revert? no\n\nReverts: ${merge}\nKustodian-Revert: prod\nKustodian-Pull-Request: 7`);
  const outcome = await revertEnvironment(gh, { environment: "prod", mergeSha: merge, reason: "crash-looping", details: [] });
  expect(outcome).toMatchObject({ kind: "committed", existing: false });
  expect(h.github.count("createCommitOnBranch")).toBe(1);
  expect(h.github.git("show", "main:environments/prod.yaml")).toBe(h.github.git("show", `${base}:environments/prod.yaml`));
  // Asked again, it finds its OWN revert (made by the app) and makes no second one.
  const again = await revertEnvironment(gh, { environment: "prod", mergeSha: merge, reason: "crash-looping", details: [] });
  expect(again).toMatchObject({ kind: "committed", existing: true });
  expect(h.github.count("createCommitOnBranch")).toBe(1);
});
