// Comments cannot make the bot work: at most one render per comment, and `/plan` from someone
// without write access renders at most once per pushed head (a repeat is answered from the last
// plan). A render is counted by what it always does on the fake GitHub: one check run.
import { afterEach, beforeEach, expect, it } from "vitest";
import { issueCommentEvent } from "../app/payloads.ts";
import { openBranch, startHarness, type Harness } from "../app/harness.ts";
import { onKustomizeBuild } from "../../src/render/kustomize-build.ts";
import { renderCache } from "../../src/render/render-cache.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.github.permissions.set("octo-writer", "write");
  await openBranch(h.dir, "bump-wordpress", (t) => t.replace("image: wordpress:6.6.2-apache", "image: wordpress:6.7.1-apache"));
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
});
afterEach(() => {
  h.github.uninstall();
  expect(h.github.unmatched).toEqual([]);
});

const renders = () => h.github.count("check-run");

it("ten /plan lines in one comment: one render", async () => {
  await h.deliver("issue_comment", issueCommentEvent({ body: Array(10).fill("/plan").join("\n"), user: "octo-writer", commentId: 801 }));
  await h.settle();
  expect(renders()).toBe(1);
  expect(h.github.count("tree")).toBeLessThanOrEqual(3); // head, base (and the head again after kustodian's own commit)
  expect(h.github.reactions.filter((r) => r.commentId === 801).map((r) => r.content)).toEqual(["eyes", "+1"]);
});

it("/plan from someone without write access: rendered once per head, a repeat answered from the last plan with a bounded number of calls", async () => {
  await h.deliver("issue_comment", issueCommentEvent({ body: "/plan", user: "drive-by", commentId: 802 }));
  await h.settle();
  expect(renders()).toBe(1);

  const before = h.github.calls.length;
  for (let i = 0; i < 5; i++) {
    await h.deliver("issue_comment", issueCommentEvent({ body: "/plan\n/plan\n/plan", user: "drive-by", commentId: 810 + i }));
    await h.settle();
  }
  expect(renders()).toBe(1);
  // Per repeat: eyes, permission, the pull request, the reply, the final reaction (the config read twice by Probot).
  expect((h.github.calls.length - before) / 5).toBeLessThanOrEqual(7);
  const replies = (h.github.comments.get(7) ?? []).filter((c) => !c.body.includes("<!-- kustodian:plan"));
  expect(replies.at(-1)!.body).toContain("already for the head of this pull request");
});

it("/plan from a writer at the same head renders again (a writer may ask for it), still once per comment", async () => {
  for (const id of [820, 821]) {
    await h.deliver("issue_comment", issueCommentEvent({ body: "/plan\n/plan", user: "octo-writer", commentId: id }));
    await h.settle();
  }
  expect(renders()).toBe(2);
});

it("several edit commands in one comment: applied together in ONE commit with ONE render of the result; each answered, the bad one refused", async () => {
  const head = h.github.head("bump-wordpress");
  renderCache.clear();
  const built: string[] = [];
  const stop = onKustomizeBuild((_outcome, _seconds, directory) => built.push(directory));
  try {
    const body = ["/scale 6 wordpress staging", "/promote staging prod", "/scale 999 wordpress prod", "/scale 5 wordpress prod"].join("\n");
    await h.deliver("issue_comment", issueCommentEvent({ body, user: "octo-writer", commentId: 830 }));
    await h.settle();
  } finally {
    stop();
  }

  // ONE commit on the branch, carrying every good edit and the overlays regenerated from them.
  expect(h.github.count("createCommitOnBranch")).toBe(1);
  expect(h.github.git("rev-parse", "bump-wordpress^")).toBe(head);
  const at = (path: string) => h.github.git("show", `bump-wordpress:${path}`);
  expect(at("environments/staging.yaml")).toMatch(/minReplicas: 6/);
  expect(at("environments/prod.yaml")).toContain("image: wordpress:6.7.1-apache");
  expect(at("environments/prod.yaml")).toMatch(/minReplicas: 5/);
  expect(at("overlays/prod/kustomization.yaml")).toContain("6.7.1-apache");

  // The edits rendered once, the plan once: no environment is built for an intermediate state
  // (before the fix, overlays/prod was built after /promote and again after /scale 5).
  const builds = (directory: string) => built.filter((d) => d === directory).length;
  // Each at most twice: the base side as committed, the head side after all the edits.
  expect(new Set(built).size).toBeGreaterThan(1);
  for (const directory of new Set(built))
    expect({ directory, builds: Math.min(builds(directory), 3) }).toEqual({ directory, builds: expect.toBeOneOf([1, 2]) });
  expect(builds("overlays/prod")).toBe(2);
  expect(renders()).toBe(1);

  // One reply answering every command in order; the out-of-bounds one refused, changing nothing.
  const replies = (h.github.comments.get(7) ?? []).filter((c) => !c.body.includes("<!-- kustodian:plan"));
  expect(replies).toHaveLength(1);
  const parts = replies[0]!.body.split("\n\n---\n\n");
  expect(parts[0]).toContain("> `/scale 6 wordpress staging`");
  expect(parts[1]).toContain("> `/promote staging prod`");
  expect(parts[2]).toContain("> `/scale 999 wordpress prod`");
  expect(parts[2]).toContain("out of bounds");
  expect(parts[2]).toContain("Nothing was changed.");
  expect(parts[3]).toContain("> `/scale 5 wordpress prod`");
  const commit = h.github.head("bump-wordpress");
  for (const i of [0, 1, 3]) expect(parts[i]).toContain(`Committed: `);
  expect(parts[0]).toContain(commit);
  expect(h.github.reactions.filter((r) => r.commentId === 830).map((r) => r.content)).toEqual(["eyes", "-1"]);
});

it("a flood of edit commands in one comment (40 lines): ten run, in ONE commit with ONE render; the rest answered as not run", async () => {
  renderCache.clear();
  const built: string[] = [];
  const stop = onKustomizeBuild((_outcome, _seconds, directory) => built.push(directory));
  try {
    const body = Array.from({ length: 40 }, (_, i) => `/scale ${3 + (i % 4)} wordpress prod`).join("\n");
    await h.deliver("issue_comment", issueCommentEvent({ body, user: "octo-writer", commentId: 840 }));
    await h.settle();
  } finally {
    stop();
  }
  expect(h.github.count("createCommitOnBranch")).toBe(1);
  expect(renders()).toBe(1);
  expect(built.filter((d) => d === "overlays/prod")).toHaveLength(2); // the base as committed, the head after the edits
  // The tenth command is the last that ran: /scale 4 (3 + 9 % 4).
  expect(h.github.git("show", "bump-wordpress:environments/prod.yaml")).toMatch(/minReplicas: 4\b/);
  const replies = (h.github.comments.get(7) ?? []).filter((c) => !c.body.includes("<!-- kustodian:plan"));
  expect(replies).toHaveLength(1);
  expect(replies[0]!.body).toContain("at most 10 commands are run per comment; this one and any after it were not");
  expect(replies[0]!.body.length).toBeLessThan(20_000);
});
