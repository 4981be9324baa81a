// Forged Deployment statuses: anyone with repository access can add a status to the app's own
// Deployment (POST .../deployments/{id}/statuses). Only the statuses the app wrote are its
// verdicts and its known-good record; a person's "success" must neither exempt a merge from the
// watch (a restart would skip it and never revert it) nor move what a revert restores.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { knownGoodOf } from "../../src/rollout/known-good-source.ts";
import type { RolloutOrchestrator } from "../../src/rollout/orchestrator.ts";
import type { RepoClient } from "../../src/rollout/repo-client.ts";
import type { FakeDeployment } from "../app/fake-github.ts";
import { commitFiles, type Harness } from "../app/harness.ts";
import { startOrchestratedApp, type OrchestratedApp } from "../helpers/orchestrated-app.ts";
import { prodRolloutPayload } from "../helpers/prod-rollout-payload.ts";

let h: Harness;
let app: OrchestratedApp;
let orchestrator: RolloutOrchestrator;
let gh: RepoClient;
let base: string;
let first: string;
let second: string;

/** A commit on main made with git plumbing (a merge as the rollout sees it: first parent the old head). */
function commitOnMain(path: string, edit: (old: string) => string, message: string): string {
  return commitFiles(h.github, "main", { [path]: edit }, message);
}

/** The app's Deployment of a merge to prod (created by the app: the fake's default creator). */
function appDeployment(id: number, mergeSha: string, baseSha: string, pr: number, statuses: FakeDeployment["statuses"]): FakeDeployment {
  return {
    id,
    sha: mergeSha,
    environment: "prod",
    task: "deploy",
    description: `kustodian: #${pr} to prod`,
    payload: prodRolloutPayload({ mergeSha, baseSha, pr, title: `PR ${pr}` }),
    createdAt: "2026-01-01T00:00:00Z",
    statuses,
  };
}

const watching = { state: "in_progress", description: "Watching the rollout", createdAt: "2026-01-01T00:00:01Z" };
const mallory = { type: "User" as const, login: "mallory" };

beforeEach(async () => {
  app = await startOrchestratedApp();
  ({ h, orchestrator } = app);
  gh = app.gh;
  base = h.github.head("main");
  first = commitOnMain(
    "environments/prod.yaml",
    (t) => t.replace("image: wordpress:6.5.5-apache", "image: wordpress:6.7.1-bad"),
    "Merge pull request #7 from acme/bump",
  );
  second = commitOnMain(
    "environments/prod.yaml",
    (t) => t.replace('WORDPRESS_DEBUG: "0"', 'WORDPRESS_DEBUG: "1"'),
    "Merge pull request #8 from acme/debug",
  );
});
afterEach(async () => {
  await app.stop();
  // The watcher talks to the simulator on loopback (not GitHub).
  expect(h.github.unmatched.filter((u) => !u.includes("127.0.0.1"))).toEqual([]);
});

describe("a status a person added to the app's Deployment", () => {
  it("a forged success does not make an unverified merge the known-good state: the revert still undoes it", async () => {
    h.github.deployments.push(
      appDeployment(10, first, base, 7, [
        { id: 11, ...watching },
        { id: 12, state: "success", description: "Healthy", createdAt: "2026-01-01T00:05:00Z", creator: mallory },
      ]),
      appDeployment(20, second, first, 8, [{ id: 21, ...watching }]),
    );
    const known = await knownGoodOf(gh, { environment: "prod", mergeSha: second });
    // Both merges undone, back to the commit before the bad image: the person's "success" counted for nothing.
    expect(known.undoes.map((u) => u.sha)).toEqual([first, second]);
    expect(known.restoreTo).toBe(base);
  });

  it("the same success written by the app does make it the known-good state (the forged one would have moved the revert)", async () => {
    h.github.deployments.push(
      appDeployment(10, first, base, 7, [
        { id: 11, ...watching },
        { id: 12, state: "success", description: "Healthy", createdAt: "2026-01-01T00:05:00Z" },
      ]),
      appDeployment(20, second, first, 8, [{ id: 21, ...watching }]),
    );
    const known = await knownGoodOf(gh, { environment: "prod", mergeSha: second });
    expect(known.undoes.map((u) => u.sha)).toEqual([second]);
  });

  it("a forged success does not exempt a merge from the watch: a restarted app resumes watching it", async () => {
    h.github.deployments.push(
      appDeployment(10, first, base, 7, [
        { id: 11, ...watching },
        { id: 12, state: "success", description: "Healthy", createdAt: "2026-01-01T00:05:00Z", creator: mallory },
      ]),
    );
    const outcome = await orchestrator.resume(gh);
    expect(outcome.resumed).toContain(10);
    expect(orchestrator.watching()).toContain(10);
  });
});
