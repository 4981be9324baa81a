// The pull request flow and the commands on a repository with a declared layout: two apps with
// their own bases, environment files and overlays, both with a prod (test/fixtures/layout/multi-app).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { layoutFixtureRepo } from "../helpers/fixture-repo.ts";
import { issueCommentEvent, pullRequestEvent } from "./payloads.ts";
import { openBranch, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({}, { repoDir: await layoutFixtureRepo("multi-app") });
  h.github.permissions.set("octo-writer", "write");
});
afterEach(() => {
  h.github.uninstall();
  expect(h.github.unmatched).toEqual([]);
});

async function openShopPr() {
  const headSha = await openBranch(
    h.dir,
    "shop-1.2",
    (t) => t.replace("image: ghcr.io/example/shop:1.0.0", "image: ghcr.io/example/shop:1.2.0"),
    "apps/shop/environments/prod.yaml",
  );
  h.github.pulls.set(7, {
    number: 7,
    title: "shop 1.2.0 to prod",
    headRef: "shop-1.2",
    baseRef: "main",
    fork: false,
    state: "open",
    merged: false,
    labels: [],
  });
  await h.deliver("pull_request", pullRequestEvent({ action: "opened", headSha, baseSha: h.github.head("main"), headRef: "shop-1.2" }));
  await h.settle();
  return headSha;
}

const replies = () => (h.github.comments.get(7) ?? []).filter((c) => !c.body.includes("<!-- kustodian:plan")).map((c) => c.body);

describe("a pull request on a multi-app repository", () => {
  it("gets its regeneration commit (that app's overlay only), its plan per app/environment and its check", async () => {
    const headSha = await openShopPr();
    const head = h.github.head("shop-1.2");
    expect(h.github.git("rev-parse", `${head}^`)).toBe(headSha);
    expect(h.github.git("diff", "--name-only", headSha, head).split("\n")).toEqual(["apps/shop/overlays/prod/kustomization.yaml"]);
    expect(h.github.git("log", "-1", "--format=%s", head)).toBe(
      "kustodian: regenerate apps/shop/overlays/prod from apps/shop/environments/prod.yaml",
    );
    expect(h.github.git("show", `${head}:apps/shop/overlays/prod/kustomization.yaml`)).toContain("newTag: 1.2.0");

    const plan = h.github.comments
      .get(7)!
      .map((c) => c.body)
      .join("\n");
    expect(plan).toContain("**shop/prod**");
    expect(plan).toContain("ghcr.io/example/shop:1.0.0 → ghcr.io/example/shop:1.2.0");
    // blog's prod is another environment: untouched, listed as unchanged, not planned.
    expect(plan).toContain("Unchanged: `blog/prod`, `shop/staging`.");
    expect(plan).not.toContain("**blog/prod**");
    expect(h.github.checkRuns.at(-1)).toMatchObject({ head_sha: head, name: "kustodian/plan", conclusion: "success" });
  });

  it("/scale 6 shop prod scales shop's prod; /scale 6 prod asks which app", async () => {
    await openShopPr();
    const before = h.github.head("shop-1.2");
    await h.deliver("issue_comment", issueCommentEvent({ body: "/scale 6 prod", user: "octo-writer", commentId: 601 }));
    await h.settle();
    expect(h.github.head("shop-1.2")).toBe(before);
    expect(replies().at(-1)).toContain("Several apps have an environment `prod`: `blog/prod` and `shop/prod`. Say which one.");

    await h.deliver("issue_comment", issueCommentEvent({ body: "/scale 6 shop prod", user: "octo-writer", commentId: 602 }));
    await h.settle();
    const head = h.github.head("shop-1.2");
    expect(h.github.git("diff", "--name-only", before, head).split("\n")).toEqual([
      "apps/shop/environments/prod.yaml",
      "apps/shop/overlays/prod/kustomization.yaml",
    ]);
    expect(h.github.git("show", `${head}:apps/shop/environments/prod.yaml`)).toContain("replicas: 6");
    expect(h.github.git("log", "-1", "--format=%B", head)).toContain("regenerated apps/shop/overlays/prod/ from it");
    expect(replies().at(-1)).toContain("`web` in `shop/prod`: replicas 3 → 6.");
  });

  it("a tag bumped in blog's generated prod overlay is lifted into apps/blog/environments/prod.yml, not shop's prod", async () => {
    const headSha = await openBranch(
      h.dir,
      "renovate/blog",
      (t) => t.replace("newTag: 2.0.0", "newTag: 2.1.0"),
      "apps/blog/overlays/prod/kustomization.yaml",
    );
    h.github.pulls.set(8, {
      number: 8,
      title: "Update ghcr.io/example/blog to 2.1.0",
      headRef: "renovate/blog",
      baseRef: "main",
      fork: false,
      state: "open",
      merged: false,
      labels: [],
    });
    await h.deliver(
      "pull_request",
      pullRequestEvent({ action: "opened", number: 8, headSha, baseSha: h.github.head("main"), headRef: "renovate/blog" }),
    );
    await h.settle();
    const head = h.github.head("renovate/blog");
    expect(h.github.git("rev-parse", `${head}^`)).toBe(headSha);
    expect(h.github.git("diff", "--name-only", headSha, head).split("\n")).toEqual(["apps/blog/environments/prod.yml"]);
    expect(h.github.git("show", `${head}:apps/blog/environments/prod.yml`)).toContain("image: ghcr.io/example/blog:2.1.0");
    expect(h.github.git("show", `${head}:apps/blog/overlays/prod/kustomization.yaml`)).toContain("newTag: 2.1.0");
    expect(h.github.git("log", "-1", "--format=%B", head)).toContain(
      "- apps/blog/overlays/prod/kustomization.yaml images[ghcr.io/example/blog] -> apps/blog/environments/prod.yml workloads.api.image: ghcr.io/example/blog:2.0.0 -> ghcr.io/example/blog:2.1.0",
    );
    expect(h.github.comments.get(8)![0]!.body).toContain(
      "Edited in the generated overlay (`apps/blog/overlays/prod/kustomization.yaml images[ghcr.io/example/blog]`) and lifted into `apps/blog/environments/prod.yml`",
    );
    expect(h.github.checkRuns.at(-1)).toMatchObject({ head_sha: head, name: "kustodian/plan" });
  });
});
