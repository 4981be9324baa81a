// Every failure reaches the pull request: a job that cannot finish (a file too large, a GitHub
// error) ends with a failing kustodian/plan check and a comment saying what and where, in words a
// person can act on — no raw HTTP error, no API or internal URL — and nothing half-committed.
import { afterEach, beforeEach, expect, it } from "vitest";
import { userMessageOf } from "../../src/github/user-error.ts";
import { issueCommentEvent, pullRequestEvent } from "../app/payloads.ts";
import { openBranch, startHarness, type Harness } from "../app/harness.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.github.permissions.set("octo-writer", "write");
});
afterEach(() => {
  h.github.uninstall();
  expect(h.github.unmatched).toEqual([]);
});

const raw = /api\.github\.com|Server Error|HTTP 50\d|HttpError|https?:\/\/(?!github\.com\/acme)/;
const planComment = (n = 7) => (h.github.comments.get(n) ?? []).find((c) => c.body.includes("<!-- kustodian:plan"))?.body ?? "";

async function open(branch: string, edit: (t: string) => string, file?: string) {
  const headSha = await openBranch(h.dir, branch, edit, file);
  h.github.pulls.set(7, { number: 7, title: "t", headRef: branch, baseRef: "main", fork: false, state: "open", merged: false, labels: [] });
  return headSha;
}

it("a GitHub error while committing: a failing check and the plan comment say so, no raw error, no commit", async () => {
  const headSha = await open("bump", (t) => t.replace("image: wordpress:6.6.2-apache", "image: wordpress:6.7.1-apache"));
  h.github.failNext.push("createCommitOnBranch");
  await h.deliver("pull_request", pullRequestEvent({ action: "opened", headSha, baseSha: h.github.head("main"), headRef: "bump" }));
  await h.settle();
  expect(h.github.head("bump")).toBe(headSha);
  const check = h.github.checkRuns.at(-1)!;
  expect(check).toMatchObject({ head_sha: headSha, conclusion: "failure", output: { title: "kustodian could not finish" } });
  expect(check.output.summary).toContain("GitHub had a temporary problem");
  expect(planComment()).toContain("Push again or comment `/plan`");
  expect(`${check.output.summary}\n${planComment()}`).not.toMatch(raw);
});

it("an environment file over the size kustodian reads: a failing check naming the file", async () => {
  const headSha = await open("huge", (t) => `${t}\n# ${"x".repeat(2 * 1024 * 1024)}\n`);
  await h.deliver("pull_request", pullRequestEvent({ action: "opened", headSha, baseSha: h.github.head("main"), headRef: "huge" }));
  await h.settle();
  const check = h.github.checkRuns.at(-1)!;
  expect(check).toMatchObject({ head_sha: headSha, conclusion: "failure" });
  expect(check.output.summary).toContain("environments/staging.yaml");
  expect(check.output.summary).toMatch(/at most 1 MB|too large/);
  expect(planComment()).toContain("environments/staging.yaml");
  expect(h.github.count("createCommitOnBranch")).toBe(0);
});

it("a command that hits a GitHub error: the reply says what happened without the raw error", async () => {
  await open("bump", (t) => t.replace("image: wordpress:6.6.2-apache", "image: wordpress:6.7.1-apache"));
  const before = h.github.head("bump");
  h.github.failNext.push("createCommitOnBranch");
  await h.deliver("issue_comment", issueCommentEvent({ body: "/scale 5", user: "octo-writer", commentId: 901 }));
  await h.settle();
  expect(h.github.head("bump")).toBe(before);
  const reply = (h.github.comments.get(7) ?? []).filter((c) => !c.body.includes("<!-- kustodian:plan")).at(-1)!.body;
  expect(reply).toContain("kustodian could not finish this command: GitHub had a temporary problem");
  expect(reply).not.toMatch(raw);
  expect(h.github.reactions.filter((r) => r.commentId === 901).map((r) => r.content)).toEqual(["eyes", "-1"]);
});

it("userMessageOf never quotes a URL or the raw error of a failure it does not know", () => {
  const internal = new Error("connect ECONNREFUSED https://ghe.internal.example:8443/api/v3/repos/x (token ghs_abc)");
  expect(userMessageOf(internal)).not.toContain("ghe.internal");
  expect(userMessageOf(Object.assign(new Error("Not Found - https://docs.github.com/rest"), { status: 404 }))).not.toMatch(raw);
  expect(userMessageOf("x".repeat(10_000)).length).toBeLessThan(700);
});
