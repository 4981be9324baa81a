import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { git } from "../helpers/git-repo.ts";
import { startHarness, type Harness } from "./harness.ts";
import { pullRequestEvent } from "./payloads.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => {
  h.github.uninstall();
  expect(h.github.unmatched).toEqual([]);
});

const environments = ["dev", "staging", "prod"];

/** 450 config entries in each of three environments: a plan of more than 200 kB. */
function bigConfig(text: string, env: string): string {
  const entries = Array.from({ length: 450 }, (_, i) => `      SETTING_${i}: "${env}-${String(i).padStart(4, "0")}-${"v".repeat(36)}"`);
  return text.replace(/ {4}config:\n/, `    config:\n${entries.join("\n")}\n`);
}

/** Commits `edit` of every environment file on `branch` (created from main when `fromMain`). */
async function pushEdit(branch: string, edit: (text: string, env: string) => string, fromMain: boolean): Promise<string> {
  await git(h.dir, "checkout", "-q", ...(fromMain ? ["-B", branch, "main"] : [branch]));
  // A later push starts again from main's files (the person dropped the big change, overlays included).
  if (!fromMain) await git(h.dir, "checkout", "-q", "main", "--", "environments", "overlays");
  for (const env of environments) {
    const path = join(h.dir, `environments/${env}.yaml`);
    await writeFile(path, edit(await readFile(path, "utf8"), env));
  }
  await git(h.dir, "commit", "-qam", "config");
  const sha = await git(h.dir, "rev-parse", "HEAD");
  await git(h.dir, "checkout", "-q", "main");
  return sha;
}

const planComments = () => (h.github.comments.get(7) ?? []).filter((c) => c.body.startsWith("<!-- kustodian:plan"));

describe("a plan longer than one comment", () => {
  it("is posted whole as numbered comments, each under GitHub's limit, then shrinks back to one on the next push", async () => {
    const headSha = await pushEdit("big-config", bigConfig, true);
    h.github.pulls.set(7, {
      number: 7,
      title: "Big config",
      headRef: "big-config",
      baseRef: "main",
      fork: false,
      state: "open",
      merged: false,
      labels: [],
    });
    await h.deliver("pull_request", pullRequestEvent({ action: "opened", headSha, baseSha: h.github.head("main"), headRef: "big-config" }));
    await h.settle();

    const parts = planComments();
    const total = parts.reduce((n, c) => n + c.body.length, 0);
    expect(total).toBeGreaterThan(200_000);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    parts.forEach((c, i) => {
      expect(c.body.length).toBeLessThan(65_536);
      expect(c.body.split("\n")[0]).toBe(i === 0 ? "<!-- kustodian:plan -->" : `<!-- kustodian:plan:${i + 1} -->`);
      expect(c.body).toContain(`**Part ${i + 1} of ${parts.length}**`);
      expect(c.body).not.toContain("Truncated by kustodian");
      expect(c.body).not.toContain("not shown to fit");
    });
    // Every entry of every environment is in the plan, each exactly once.
    const all = parts.map((c) => c.body).join("\n");
    for (const env of environments) {
      for (const i of [0, 225, 449]) {
        expect(all.split(`SETTING_${i}: ${env}-${String(i).padStart(4, "0")}-`).length - 1).toBe(1);
      }
    }
    // The check's summary links every part.
    const check = h.github.checkRuns.at(-1)!;
    expect(check.output.summary).toContain(`The plan is in ${parts.length} comments: [part 1](${parts[0]!.html_url})`);
    expect(check.output.summary).toContain(`[part ${parts.length}](${parts.at(-1)!.html_url})`);

    // The next push drops the big config: the first comment is edited in place, the rest deleted.
    const firstId = parts[0]!.id;
    const calls = h.github.calls.length;
    const shrunk = await pushEdit("big-config", (t) => t.replace('WORDPRESS_DEBUG: "0"', 'WORDPRESS_DEBUG: "1"'), false);
    await h.deliver(
      "pull_request",
      pullRequestEvent({ action: "synchronize", headSha: shrunk, baseSha: h.github.head("main"), headRef: "big-config" }),
    );
    await h.settle();
    const after = planComments();
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(firstId);
    expect(after[0]!.body).not.toContain("Part 1 of");
    expect(after[0]!.body).toContain("WORDPRESS_DEBUG");
    const names = h.github.calls.slice(calls).map((c) => c.path);
    expect(names.filter((n) => n === "comment-delete")).toHaveLength(parts.length - 1);
    expect(names.filter((n) => n === "comment")).toHaveLength(0);
    expect(h.github.checkRuns.at(-1)!.output.summary).not.toContain("The plan is in");
  }, 120_000);
});
