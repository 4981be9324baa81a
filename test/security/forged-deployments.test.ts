// Forged Deployments: anyone with `deployments: write` can create a GitHub Deployment whose
// payload looks like kustodian's. Only Deployments this app created are trusted, and what a
// revert restores is derived from git (the merge's first parent), never from a payload field.
// The attack: a person's Deployment of a merge whose `baseSha` points at a commit (on another
// branch) that adds a cluster-admin ClusterRoleBinding to overlays/prod/.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RolloutOrchestrator } from "../../src/rollout/orchestrator.ts";
import type { RepoClient } from "../../src/rollout/repo-client.ts";
import { revertEnvironment } from "../../src/rollout/revert-environment.ts";
import { commitFiles, type Harness } from "../app/harness.ts";
import { startOrchestratedApp, type OrchestratedApp } from "../helpers/orchestrated-app.ts";
import { issueCommentEvent } from "../app/payloads.ts";
import { prodRolloutPayload } from "../helpers/prod-rollout-payload.ts";

const clusterAdmin = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: pwned
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ kind: ServiceAccount, name: default, namespace: wordpress-prod }]
`;

let h: Harness;
let app: OrchestratedApp;
let orchestrator: RolloutOrchestrator;
let gh: RepoClient;
let base: string;
let evil: string;
let merge: string;

/** A commit made with git plumbing on `branch` (a person's push). */
const commit = (branch: string, files: Record<string, (old: string) => string>, message: string): string =>
  commitFiles(h.github, branch, files, message, { author: { name: "mallory", email: "m@example.com" } });

beforeEach(async () => {
  app = await startOrchestratedApp();
  ({ h, orchestrator } = app);
  h.github.permissions.set("octo-writer", "write");
  gh = app.gh;
  base = h.github.head("main");
  h.github.git("branch", "evil", base);
  evil = commit(
    "evil",
    {
      "overlays/prod/cluster-admin.yaml": () => clusterAdmin,
      "overlays/prod/kustomization.yaml": (t) => t.replace("resources:\n", "resources:\n  - cluster-admin.yaml\n"),
    },
    "nothing to see",
  );
  merge = commit(
    "main",
    {
      "environments/prod.yaml": (t) => t.replace("image: wordpress:6.5.5-apache", "image: wordpress:6.7.1-bad"),
      "overlays/prod/kustomization.yaml": (t) => t.replace("newTag: 6.5.5-apache", "newTag: 6.7.1-bad"),
    },
    "Merge pull request #7 from acme/bump",
  );
  h.github.git("branch", "bump", merge);
  h.github.pulls.set(7, {
    number: 7,
    title: "Bump wordpress in prod",
    headRef: "bump",
    baseRef: "main",
    fork: false,
    state: "closed",
    merged: true,
    labels: [],
    mergeCommitSha: merge,
  });
  // The forgery: a person's Deployment with kustodian's payload shape, in progress.
  h.github.deployments.push({
    id: 77,
    sha: merge,
    environment: "prod",
    task: "deploy",
    description: "kustodian: #7 to prod",
    creator: { type: "User", login: "mallory" },
    payload: prodRolloutPayload({ mergeSha: merge, baseSha: evil, pr: 7, title: "Bump wordpress in prod" }),
    createdAt: "2026-01-01T00:00:00Z",
    statuses: [{ id: 78, state: "in_progress", description: "Watching", createdAt: "2026-01-01T00:00:01Z" }],
  });
});
afterEach(async () => {
  await app.stop();
  expect(h.github.unmatched).toEqual([]);
});

/** Every request body sent to the fake GitHub, as text. */
const sent = () => h.github.calls.map((c) => JSON.stringify(c.body ?? "")).join("\n");

function assertNoClusterAdmin(): void {
  const files = h.github.git("ls-tree", "-r", "--name-only", "main");
  expect(files).not.toContain("cluster-admin.yaml");
  expect(h.github.git("show", "main:overlays/prod/kustomization.yaml")).not.toContain("cluster-admin");
  expect(sent()).not.toContain(Buffer.from(clusterAdmin).toString("base64"));
}

describe("a Deployment a person created", () => {
  it("/rollback reverts from git: prod's files as before the merge, no ClusterRoleBinding, the forged Deployment untouched", async () => {
    await h.deliver("issue_comment", issueCommentEvent({ body: "/rollback", user: "octo-writer", number: 7, commentId: 701 }));
    await h.settle();
    await orchestrator.idle();

    expect(h.github.count("createCommitOnBranch")).toBe(1);
    assertNoClusterAdmin();
    for (const path of ["environments/prod.yaml", "overlays/prod/kustomization.yaml"])
      expect(h.github.git("show", `main:${path}`)).toBe(h.github.git("show", `${base}:${path}`));
    expect(h.github.deployments.find((d) => d.id === 77)!.statuses.map((s) => s.state)).toEqual(["in_progress"]);
  });

  it("is never watched after a restart: the merge gets the app's own Deployment, recorded from git", async () => {
    const outcome = await orchestrator.resume(gh);
    expect(outcome.resumed).toEqual([]);
    expect(orchestrator.watching()).not.toContain(77);
    // The scan of recent merges finds the merge without an app Deployment and records one itself.
    const ours = h.github.deployments.filter((d) => d.id !== 77);
    expect(outcome.recovered.flatMap((r) => r.deployments)).toEqual(ours.map((d) => d.id));
    for (const d of ours) expect((d.payload as { baseSha: string }).baseSha).toBe(base);
    expect(h.github.count("createCommitOnBranch")).toBe(0);
  });

  it("an auto-revert handed the forged baseSha as its recorded base restores merge^1 (git), not that commit", async () => {
    const outcome = await revertEnvironment(gh, {
      environment: "prod",
      mergeSha: merge,
      baseSha: evil,
      reason: "container is crash-looping",
      details: [],
    });
    expect(outcome.kind).toBe("committed");
    assertNoClusterAdmin();
    expect(h.github.git("show", "main:environments/prod.yaml")).toBe(h.github.git("show", `${base}:environments/prod.yaml`));
  });
});
