import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pullRequestEvent } from "./payloads.ts";
import { openBranch, startHarness, type Harness } from "./harness.ts";

// Issue 12, item 6, in the PR flow: a pull request that edits a generated overlay (Renovate bumping
// a tag in overlays/prod/kustomization.yaml) gets the change lifted into the environment file by
// the regeneration commit, said in the commit message and the plan, instead of being undone.

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => {
  h.github.uninstall();
  expect(h.github.unmatched).toEqual([]);
});

async function openPr(branch: string, file: string, edit: (text: string) => string) {
  const headSha = await openBranch(h.dir, branch, edit, file);
  h.github.pulls.set(9, {
    number: 9,
    title: "Update wordpress",
    headRef: branch,
    baseRef: "main",
    fork: false,
    state: "open",
    merged: false,
    labels: [],
  });
  return { headSha, event: pullRequestEvent({ action: "opened", number: 9, headSha, baseSha: h.github.head("main"), headRef: branch }) };
}

describe("a pull request that edits a generated overlay", () => {
  it("lifts Renovate's tag into the environment file, and says so in the commit and the plan", async () => {
    const { headSha, event } = await openPr("renovate/wordpress-6.x", "overlays/prod/kustomization.yaml", (t) =>
      t.replace("newTag: 6.5.5-apache", "newTag: 6.6.2-apache"),
    );
    await h.deliver("pull_request", event);
    await h.settle();

    const newHead = h.github.head("renovate/wordpress-6.x");
    expect(h.github.git("rev-parse", `${newHead}^`)).toBe(headSha);
    expect(h.github.git("diff", "--name-only", headSha, newHead).split("\n")).toEqual(["environments/prod.yaml"]);
    expect(h.github.git("show", `${newHead}:environments/prod.yaml`)).toContain("image: wordpress:6.6.2-apache");
    // The overlay keeps Renovate's edit: nothing was undone.
    expect(h.github.git("show", `${newHead}:overlays/prod/kustomization.yaml`)).toContain("newTag: 6.6.2-apache");
    const message = h.github.git("log", "-1", "--format=%B", newHead);
    expect(message).toContain("kustodian: lift overlay edits into environments/prod.yaml");
    expect(message).toContain(
      "- overlays/prod/kustomization.yaml images[wordpress] -> environments/prod.yaml workloads.wordpress.image: wordpress:6.5.5-apache -> wordpress:6.6.2-apache",
    );

    const body = h.github.comments.get(9)![0]!.body;
    expect(body).toContain(
      "Edited in the generated overlay (`overlays/prod/kustomization.yaml images[wordpress]`) and lifted into `environments/prod.yaml`: workloads.wordpress.image wordpress:6.5.5-apache → wordpress:6.6.2-apache.",
    );
    expect(body).toContain("wordpress:6.5.5-apache → wordpress:6.6.2-apache");
  });

  it("refuses a hand edit it cannot lift: no commit, and the check names the file and the field", async () => {
    const { headSha, event } = await openPr("hand-edit", "overlays/prod/kustomization.yaml", (t) =>
      t.replace("averageUtilization: 20", "averageUtilization: 35"),
    );
    await h.deliver("pull_request", event);
    await h.settle();
    expect(h.github.head("hand-edit")).toBe(headSha);
    const body = h.github.comments.get(9)![0]!.body;
    expect(body).toContain("overlays/prod/kustomization.yaml:1:1 patches: was edited in the generated overlay");
  });
});
