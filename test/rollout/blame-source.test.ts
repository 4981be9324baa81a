// The renders behind the attribution (issue 13), against the git-backed fake GitHub: in the process
// that rendered the pushes, attributing a failure runs no kustomize build (the render cache has
// every build); another process (cache empty) renders the one environment and decides the same.
import { afterEach, beforeEach, expect, it } from "vitest";
import { readGitOpsFilesAt } from "../../src/github/read-files.ts";
import { onKustomizeBuild } from "../../src/render/kustomize-build.ts";
import { renderCache } from "../../src/render/render-cache.ts";
import { renderSnapshot } from "../../src/repo/render-snapshot.ts";
import { blameOfFailure, keepPushRenders } from "../../src/rollout/blame-source.ts";
import type { RepoClient } from "../../src/rollout/repo-client.ts";
import { repoClientOf, commitProdEditOnMain, startHarness, type Harness } from "../app/harness.ts";

let h: Harness;
let gh: RepoClient;

beforeEach(async () => {
  h = await startHarness();
  gh = await repoClientOf(h);
});
afterEach(() => {
  h.github.uninstall();
  expect(h.github.unmatched).toEqual([]);
});

const commitOnMain = (edit: (text: string) => string, message: string): string => commitProdEditOnMain(h.github, edit, message);

it("attributes by the rendered pod template: no kustomize build where the pushes were rendered, the same answer where they were not", async () => {
  const base = h.github.head("main");
  const config = commitOnMain((t) => t.replace('WORDPRESS_DEBUG: "0"', 'WORDPRESS_DEBUG: "0"\n      SIM_BEHAVIOUR: bad'), "config");
  const mysql = commitOnMain((t) => t.replace("image: mysql:5.6.51", "image: mysql:5.7.44"), "mysql");
  // What the pushes did (detect-merge.ts): every commit read and rendered.
  for (const sha of [base, config, mysql]) await renderSnapshot((await readGitOpsFilesAt(gh.octokit, gh.repo, sha)).files);

  let builds = 0;
  const stop = onKustomizeBuild(() => builds++);
  try {
    const input = {
      environment: "prod",
      undoes: [
        { sha: config, parent: base },
        { sha: mysql, parent: config },
      ],
      failing: { workload: "wordpress", reason: "ReadinessTimeout" },
    };
    const expected = { sha: config, fields: ["container wordpress: envFrom"], images: [], basis: "template" };
    expect(await blameOfFailure(gh, input)).toEqual(expected);
    expect(builds).toBe(0);

    // Another replica: nothing cached. base/ and prod's overlay are built, other environments are not.
    renderCache.clear();
    expect(await blameOfFailure(gh, input)).toEqual(expected);
    expect(builds).toBeGreaterThan(0);
    expect(builds).toBeLessThanOrEqual(4); // base/ once (same bytes), prod's overlay at each of the 3 commits
  } finally {
    stop();
  }
}, 120_000);

it("what the push rendered is kept (detect-merge.ts): attributing costs no GitHub read", async () => {
  const base = h.github.head("main");
  const bad = commitOnMain((t) => t.replace("image: wordpress:6.5.5-apache", "image: wordpress:6.7.1-bad"), "bad");
  for (const sha of [base, bad])
    keepPushRenders(gh, sha, await renderSnapshot((await readGitOpsFilesAt(gh.octokit, gh.repo, sha)).files), ["prod"]);
  const trees = h.github.count("tree");
  expect(trees).toBeGreaterThan(0);
  const blame = await blameOfFailure(gh, {
    environment: "prod",
    undoes: [{ sha: bad, parent: base }],
    failing: { workload: "wordpress", container: "wordpress", reason: "ReadinessTimeout" },
  });
  expect(blame).toEqual({ sha: bad, fields: ["container wordpress: image"], images: ["wordpress:6.7.1-bad"], basis: "image" });
  expect(h.github.count("tree")).toBe(trees);
}, 60_000);
