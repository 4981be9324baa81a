import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { botLogin, issueCommentEvent, pullRequestEvent } from "./payloads.ts";
import { openBranch, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.github.permissions.set("octo-writer", "write");
  h.github.permissions.set("octo-maintainer", "maintain");
  h.github.permissions.set("octo-reader", "read");
  // A PR that bumps staging's image; kustodian has already regenerated its overlay.
  const headSha = await openBranch(h.dir, "bump-wordpress", (t) =>
    t.replace("image: wordpress:6.6.2-apache", "image: wordpress:6.7.1-apache"),
  );
  h.github.pulls.set(7, {
    number: 7,
    title: "Bump wordpress in staging",
    headRef: "bump-wordpress",
    baseRef: "main",
    fork: false,
    state: "open",
    merged: false,
    labels: [],
  });
  await h.deliver(
    "pull_request",
    pullRequestEvent({ action: "opened", headSha, baseSha: h.github.head("main"), headRef: "bump-wordpress" }),
  );
  await h.settle();
  h.github.calls.length = 0;
});
afterEach(() => {
  h.github.uninstall();
  expect(h.github.unmatched).toEqual([]);
});

function stagingAtHead() {
  return parse(h.github.git("show", `${h.github.head("bump-wordpress")}:environments/staging.yaml`)) as {
    workloads: { wordpress: { replicas: number; autoscaling: { minReplicas: number; maxReplicas: number } } };
  };
}

function replies(): string[] {
  return (h.github.comments.get(7) ?? []).filter((c) => !c.body.includes("<!-- kustodian:plan -->")).map((c) => c.body);
}

describe("slash commands", () => {
  it("/scale 6 from a writer: one commit on the branch (env file + overlay), the plan updated, 👀 then 👍", async () => {
    const before = h.github.head("bump-wordpress");
    await h.deliver("issue_comment", issueCommentEvent({ body: "/scale 6", user: "octo-writer", commentId: 501 }));
    await h.settle();

    const head = h.github.head("bump-wordpress");
    expect(h.github.git("rev-parse", `${head}^`)).toBe(before);
    expect(h.github.git("diff", "--name-only", before, head).split("\n")).toEqual([
      "environments/staging.yaml",
      "overlays/staging/kustomization.yaml",
    ]);
    // staging's wordpress is autoscaled: the HPA bounds move (and replicas with them).
    expect(stagingAtHead().workloads.wordpress.autoscaling).toEqual({ minReplicas: 6, maxReplicas: 6, targetCPUUtilizationPercentage: 20 });
    expect(stagingAtHead().workloads.wordpress.replicas).toBe(6);
    expect(h.github.git("show", `${head}:overlays/staging/kustomization.yaml`)).toContain("count: 6");

    expect(h.github.reactions.filter((r) => r.commentId === 501).map((r) => r.content)).toEqual(["eyes", "+1"]);
    const [reply] = replies();
    expect(reply).toContain("/scale 6");
    expect(reply).toContain(`https://github.com/acme/gitops/commit/${head}`);
    const plan = h.github.comments.get(7)!.find((c) => c.body.includes("<!-- kustodian:plan -->"))!;
    expect(plan.body).toContain("autoscaling.minReplicas | 3 | 6");
    expect(h.github.checkRuns.at(-1)).toMatchObject({ head_sha: head });
  });

  it("/scale 6 from a reader: a polite refusal and nothing changes", async () => {
    const before = h.github.head("bump-wordpress");
    await h.deliver("issue_comment", issueCommentEvent({ body: "/scale 6", user: "octo-reader", commentId: 502 }));
    await h.settle();
    expect(h.github.head("bump-wordpress")).toBe(before);
    expect(h.github.count("createCommitOnBranch")).toBe(0);
    expect(replies()[0]).toMatch(/octo-reader/);
    expect(replies()[0]).toMatch(/write/);
    expect(h.github.reactions.filter((r) => r.commentId === 502).map((r) => r.content)).toEqual(["eyes", "-1"]);
  });

  it("/scale six: a clear error and no commit", async () => {
    await h.deliver("issue_comment", issueCommentEvent({ body: "/scale six", user: "octo-writer", commentId: 503 }));
    await h.settle();
    expect(h.github.count("createCommitOnBranch")).toBe(0);
    expect(replies()[0]).toContain("replicas must be a whole number");
    expect(replies()[0]).toContain('got "six"');
    expect(replies()[0]).toContain("Usage: `/scale N [workload] [env]`");
    // Nothing to authorise for a command that cannot run: no permission lookup.
    expect(h.github.count("permission")).toBe(0);
  });

  it("/scale above the configured maximum is refused", async () => {
    h.github.config = "scale:\n  maxReplicas: 5\n";
    await h.deliver("issue_comment", issueCommentEvent({ body: "/scale 6", user: "octo-writer", commentId: 504 }));
    await h.settle();
    expect(h.github.count("createCommitOnBranch")).toBe(0);
    expect(replies()[0]).toContain("0 to 5");
  });

  it("/hold then /unhold from a maintainer label the PR, several commands in one comment", async () => {
    await h.deliver("issue_comment", issueCommentEvent({ body: "/hold\n/help", user: "octo-maintainer", commentId: 505 }));
    await h.settle();
    expect(h.github.pulls.get(7)!.labels).toEqual(["kustodian/hold"]);
    expect(replies()[0]).toContain("/scale");
    await h.deliver("issue_comment", issueCommentEvent({ body: "/unhold", user: "octo-maintainer", commentId: 506 }));
    await h.settle();
    expect(h.github.pulls.get(7)!.labels).toEqual([]);
  });

  it("comments without commands, commands in code blocks, and bots' comments are ignored", async () => {
    await h.deliver("issue_comment", issueCommentEvent({ body: "Looks good!\n/scale 6", user: "octo-writer", commentId: 507 }));
    await h.deliver("issue_comment", issueCommentEvent({ body: "```\n/scale 6\n```", user: "octo-writer", commentId: 508 }));
    await h.deliver("issue_comment", issueCommentEvent({ body: "/scale 6", user: botLogin, userType: "Bot", commentId: 509 }));
    await h.settle();
    expect(h.github.calls).toEqual([]);
  });

  it("/promote staging prod copies staging's images into prod on the branch", async () => {
    await h.deliver("issue_comment", issueCommentEvent({ body: "/promote staging prod", user: "octo-writer", commentId: 510 }));
    await h.settle();
    const head = h.github.head("bump-wordpress");
    const prod = h.github.git("show", `${head}:environments/prod.yaml`);
    expect(prod).toContain("image: wordpress:6.7.1-apache");
    expect(prod).toContain("# Promote to prod only what ran in staging");
    expect(h.github.git("show", `${head}:overlays/prod/kustomization.yaml`)).toContain("newTag: 6.7.1-apache");
  });

  it("an unknown command is answered with the list of commands", async () => {
    await h.deliver("issue_comment", issueCommentEvent({ body: "/deploy now", user: "octo-writer", commentId: 511 }));
    await h.settle();
    expect(replies()[0]).toContain("/scale");
    expect(replies()[0]).toContain("/promote");
    expect(h.github.count("createCommitOnBranch")).toBe(0);
  });
});
