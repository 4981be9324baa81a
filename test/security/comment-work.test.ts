// Comments cannot make the bot work: at most one render per comment, and `/plan` from someone
// without write access renders at most once per pushed head (a repeat is answered from the last
// plan). A render is counted by what it always does on the fake GitHub: one check run.
import { afterEach, beforeEach, expect, it } from "vitest";
import { issueCommentEvent } from "../app/payloads.ts";
import { openBranch, startHarness, type Harness } from "../app/harness.ts";

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
