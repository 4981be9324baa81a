// Issue 7 end to end: the revert commit of a failed rollout records the failed image as held in
// that environment's file, and a later PR that brings the same tag back is blocked by the plan.
import { afterEach, beforeEach, expect, it } from "vitest";
import { parse } from "yaml";
import { heldImageRevertEdits } from "../../src/rollout/held-image-edits.ts";
import { runCli } from "../helpers/cli.ts";
import { branchWith } from "../helpers/git-repo.ts";
import { startWorld, type World } from "./harness.ts";

let w: World;
beforeEach(async () => {
  w = await startWorld({ revertEdits: heldImageRevertEdits });
});
afterEach(async () => {
  await w.stop();
  expect(w.h.github.unmatched.filter((u) => !u.includes("127.0.0.1"))).toEqual([]);
});

it("the revert adds the hold in the same commit; the overlay is restored byte for byte; re-proposing the tag is blocked", async () => {
  await w.deploy(["prod"]);
  const gh = w.h.github;
  const { mergeSha, before } = await w.merge({
    number: 7,
    title: "Bump wordpress in prod to 6.7.1",
    branch: "bump",
    edits: [["environments/prod.yaml", "image: wordpress:6.5.5-apache", "image: wordpress:6.7.1-bad"]],
  });
  await w.run(() => w.revertCommits(mergeSha).length === 1);
  const revert = w.revertCommits(mergeSha)[0]!;
  expect(revert.message).toContain("hold wordpress:6.7.1-bad in prod (ReadinessTimeout)");

  const prod = parse(gh.git("show", `${revert.sha}:environments/prod.yaml`)) as {
    workloads: { wordpress: { image: string } };
    held: Record<string, string>[];
  };
  expect(prod.workloads.wordpress.image).toBe("wordpress:6.5.5-apache");
  expect(prod.held).toEqual([
    {
      image: "wordpress:6.7.1-bad",
      reason: expect.stringMatching(/^ReadinessTimeout: /),
      since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      revertedCommit: mergeSha,
    },
  ]);
  // The file is the pre-merge file plus the hold, comments included.
  expect(gh.git("show", `${revert.sha}:environments/prod.yaml`).startsWith(gh.git("show", `${before}:environments/prod.yaml`))).toBe(true);
  expect(gh.git("show", `${revert.sha}:overlays/prod/kustomization.yaml`)).toBe(
    gh.git("show", `${before}:overlays/prod/kustomization.yaml`),
  );

  // Next week Renovate proposes the same tag again.
  gh.git("checkout", "-q", "-f", "main");
  gh.git("reset", "-q", "--hard", "main");
  await branchWith(w.h.dir, "renovate/wordpress", [
    ["environments/prod.yaml", "image: wordpress:6.5.5-apache", "image: wordpress:6.7.1-bad"],
  ]);
  const plan = await runCli(w.h.dir, "plan", "--base", "main");
  expect(plan.code).toBe(1);
  expect(plan.stdout).toContain("`held-image` wordpress: wordpress:6.7.1-bad is held in prod since");
  expect(plan.stdout).toContain(`rollout of ${mergeSha.slice(0, 7)} failed`);
}, 180_000);
