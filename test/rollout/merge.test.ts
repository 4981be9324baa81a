import { describe, expect, it } from "vitest";
import type { PullRequestSummary } from "../../src/github/pull-requests.ts";
import { renderSnapshot } from "../../src/repo/render-snapshot.ts";
import { readTree } from "../../src/repo/fs-snapshot.ts";
import {
  mergedPullRequest,
  mergeOfPush,
  pushInfoOf,
  revertOfMerge,
  rolloutsOfMerge,
  touchedEnvironments,
  type PushInfo,
} from "../../src/rollout/merge.ts";
import { parseRolloutPayload, payloadOf, targetOf } from "../../src/rollout/payload.ts";
import { pushEvent } from "../app/payloads.ts";
import { repoRoot } from "../helpers/repo-root.ts";

const a = "a".repeat(40);
const b = "b".repeat(40);
const zero = "0".repeat(40);

function push(overrides: Partial<PushInfo> = {}): PushInfo {
  return {
    ref: "refs/heads/main",
    before: a,
    after: b,
    created: false,
    deleted: false,
    forced: false,
    headCommit: { id: b, message: "Merge pull request #7", timestamp: "2025-01-01T00:01:00Z" },
    ...overrides,
  };
}

function pr(overrides: Partial<PullRequestSummary> = {}): PullRequestSummary {
  return {
    number: 7,
    title: "Bump",
    body: "",
    state: "closed",
    merged: true,
    mergeCommitSha: b,
    headRef: "bump",
    baseRef: "main",
    author: "octocat",
    labels: [],
    url: "https://github.com/acme/gitops/pull/7",
    ...overrides,
  };
}

describe("mergeOfPush", () => {
  it("a push to the default branch: the head commit, the push's `before` as the commit before the merge", () => {
    expect(mergeOfPush(push(), "main")).toEqual({
      mergeSha: b,
      baseSha: a,
      message: "Merge pull request #7",
      mergedAt: new Date("2025-01-01T00:01:00Z"),
    });
  });

  it("reads the real push payload", () => {
    const info = pushInfoOf(
      pushEvent({ before: a, after: b, message: "m", timestamp: "2025-01-01T00:00:00Z" }) as Parameters<typeof pushInfoOf>[0],
    );
    expect(info).toEqual({
      ref: "refs/heads/main",
      before: a,
      after: b,
      created: false,
      deleted: false,
      forced: false,
      headCommit: { id: b, message: "m", timestamp: "2025-01-01T00:00:00Z" },
    });
  });

  it("other branches, deletions and pushes without a head commit start nothing", () => {
    expect(mergeOfPush(push({ ref: "refs/heads/feature" }), "main")).toBeNull();
    expect(mergeOfPush(push({ ref: "refs/tags/v1" }), "main")).toBeNull();
    expect(mergeOfPush(push({ deleted: true, after: zero, headCommit: null }), "main")).toBeNull();
  });

  it("a created or force-pushed branch has no usable `before`: merge^1 is read instead", () => {
    expect(mergeOfPush(push({ forced: true }), "main")).not.toHaveProperty("baseSha");
    expect(mergeOfPush(push({ created: true, before: zero }), "main")).not.toHaveProperty("baseSha");
  });
});

describe("mergedPullRequest and revertOfMerge", () => {
  it("picks the merged PR into the default branch whose merge commit is the push's head", () => {
    const other = pr({ number: 3, mergeCommitSha: a });
    expect(mergedPullRequest([other, pr()], b, "main")?.number).toBe(7);
    expect(mergedPullRequest([pr({ merged: false })], b, "main")).toBeUndefined();
    expect(mergedPullRequest([pr({ baseRef: "release" })], b, "main")).toBeUndefined();
    // A rebase merge: the PR's merge commit is another of the pushed commits.
    expect(mergedPullRequest([pr({ mergeCommitSha: a })], b, "main")?.number).toBe(7);
  });

  it("a kustodian revert is told by the trailers of the app's commit, or of the body of the revert PR the app opened", () => {
    const trailers = `Reverts: ${a}\nKustodian-Revert: prod\nKustodian-Pull-Request: 7`;
    const bot = "kustodian[bot]";
    const appCommit = { author: bot, committer: "web-flow", verified: true };
    const nobody = { author: null, committer: null, verified: false };
    expect(revertOfMerge({ message: `Revert x in prod: y\n\nRestores...\n\n${trailers}`, ...appCommit }, undefined, bot)).toEqual({
      reverts: a,
      environment: "prod",
      pullRequest: 7,
    });
    const revertPr = pr({ body: `Body.\n\n${trailers}`, author: bot, headRef: `kustodian/revert/prod/${a.slice(0, 12)}` });
    expect(revertOfMerge({ message: "Merge pull request #12\n\nRevert x", ...nobody }, revertPr, bot)).toEqual({
      reverts: a,
      environment: "prod",
      pullRequest: 7,
    });
    expect(revertOfMerge({ message: "Merge pull request #7", ...nobody }, pr({ body: "Reverts a bad idea" }), bot)).toBeUndefined();
  });
});

describe("touchedEnvironments", () => {
  const before = new Map([
    ["environments/dev.yaml", "1"],
    ["environments/prod.yaml", "2"],
    ["overlays/dev/kustomization.yaml", "3"],
    ["overlays/prod/kustomization.yaml", "4"],
    ["base/wordpress-deployment.yaml", "5"],
    ["README.md", "6"],
  ]);

  it("environments whose file or overlay changed; nothing for other files", () => {
    expect(touchedEnvironments(before, new Map(before).set("README.md", "x"))).toEqual([]);
    expect(touchedEnvironments(before, new Map(before).set("environments/prod.yaml", "x"))).toEqual(["prod"]);
    expect(touchedEnvironments(before, new Map(before).set("overlays/dev/patch.yaml", "x"))).toEqual(["dev"]);
  });

  it("a change under base/ touches every environment; a removed environment has nothing to roll out", () => {
    expect(touchedEnvironments(before, new Map(before).set("base/wordpress-deployment.yaml", "x"))).toEqual(["dev", "prod"]);
    const removed = new Map(before);
    removed.delete("environments/dev.yaml");
    removed.delete("overlays/dev/kustomization.yaml");
    expect(touchedEnvironments(before, removed)).toEqual([]);
  });
});

describe("rolloutsOfMerge (rendered with kustomize)", async () => {
  const files = new Map([
    ...(await readTree(repoRoot, "base")),
    ...(await readTree(repoRoot, "environments")),
    ...(await readTree(repoRoot, "overlays")),
  ]);
  const edit = (path: string, from: string, to: string) => {
    const text = files.get(path)!;
    if (!text.includes(from)) throw new Error(`${path} has no ${from}`);
    return new Map(files).set(path, text.replace(from, to));
  };
  const before = await renderSnapshot(files);
  const merge = { mergeSha: b, mergedAt: new Date("2025-01-01T00:01:00Z") };

  it("an image bump in prod: the target from the environment file, the wordpress Deployment rolls", async () => {
    const after = await renderSnapshot(edit("environments/prod.yaml", "image: wordpress:6.5.5-apache", "image: wordpress:6.7.1-apache"));
    expect(rolloutsOfMerge(before, after, ["prod"], merge)).toEqual({
      rollouts: [
        {
          target: {
            environment: "prod",
            context: "prod",
            namespace: "wordpress-prod",
            deployments: ["wordpress"],
            sync: { tool: "argocd", application: "wordpress-prod", namespace: "argocd" },
            mergeSha: b,
            slackSeconds: 2,
            mergedAt: merge.mergedAt,
          },
          production: true,
          // Every Deployment rendered after the merge: the watch may take over an earlier merge's (carried-workloads.ts).
          present: ["wordpress", "wordpress-mysql"],
        },
      ],
      skipped: [],
    });
  });

  it("Flux in dev; a config entry rolls the pods (new ConfigMap name); slack from the policy", async () => {
    const changed = edit("environments/dev.yaml", 'WORDPRESS_DEBUG: "1"', 'WORDPRESS_DEBUG: "0"');
    changed.set("environments/dev.yaml", `${changed.get("environments/dev.yaml")}policy:\n  slackSeconds: 5\n`);
    const after = await renderSnapshot(changed);
    const { rollouts } = rolloutsOfMerge(before, after, ["dev"], merge);
    expect(rollouts[0]!.target).toMatchObject({
      deployments: ["wordpress"],
      sync: { tool: "flux", kustomization: "wordpress-dev", namespace: "flux-system" },
      context: "dev",
      slackSeconds: 5,
    });
    expect(rollouts[0]!.production).toBe(false);
  });

  it("a mysql image change in staging rolls wordpress-mysql only", async () => {
    const after = await renderSnapshot(edit("environments/staging.yaml", "mysql:5.6.51", "mysql:5.7.44"));
    expect(rolloutsOfMerge(before, after, ["staging"], merge).rollouts[0]!.target.deployments).toEqual(["wordpress-mysql"]);
  });

  it("a comment-only change renders the same: no rollout; an invalid file: no rollout, said why", async () => {
    const comment = await renderSnapshot(
      edit("environments/prod.yaml", "namespace: wordpress-prod", "namespace: wordpress-prod # the prod namespace"),
    );
    expect(rolloutsOfMerge(before, comment, ["prod"], merge)).toEqual({
      rollouts: [],
      skipped: [{ environment: "prod", why: "rendered output unchanged" }],
    });
    const invalid = await renderSnapshot(edit("environments/prod.yaml", "replicas: 3", "replicas: three"));
    expect(rolloutsOfMerge(before, invalid, ["prod"], merge)).toEqual({
      rollouts: [],
      skipped: [{ environment: "prod", why: "invalid environment file" }],
    });
  });

  it("the Deployment payload keeps the target, and gives it back after a restart", async () => {
    const after = await renderSnapshot(edit("environments/prod.yaml", "image: wordpress:6.5.5-apache", "image: wordpress:6.7.1-apache"));
    const target = rolloutsOfMerge(before, after, ["prod"], merge).rollouts[0]!.target;
    const payload = payloadOf(target, { baseSha: a, pr: 7, title: "Bump" });
    // GitHub stores the payload as JSON.
    const stored = parseRolloutPayload(JSON.parse(JSON.stringify(payload)));
    expect(stored).toEqual(payload);
    expect(targetOf("prod", stored!)).toEqual(target);
    expect(parseRolloutPayload({ mergeSha: b, pr: 7 })).toBeUndefined();
    expect(parseRolloutPayload(null)).toBeUndefined();
  });
});
