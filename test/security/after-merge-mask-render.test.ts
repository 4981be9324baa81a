// The after-merge mask from real renders of commits on the git-backed fake GitHub: the values are
// recomputed each time (the render cache makes the second time no kustomize build), and a commit
// that does not render is a gap the text names, with what is known still masked.
import { afterEach, beforeEach, expect, it } from "vitest";
import { maskedMarker } from "../../src/plan/secret-masking.ts";
import { secretWordsOf } from "../../src/plan/secret-values.ts";
import { onKustomizeBuild } from "../../src/render/kustomize-build.ts";
import type { RepoClient } from "../../src/rollout/repo-client.ts";
import { renderedTextMask } from "../../src/rollout/secret-mask.ts";
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

const token = "tok-123456789abc";
const evidence = `Readiness probe failed: token ${token} rejected; password=hunter22`;

it("masks with the values rendered at each commit, recomputed each time without a second kustomize build", async () => {
  const base = h.github.head("main");
  const merge = commitOnMain((t) => t.replace('WORDPRESS_DEBUG: "0"', `WORDPRESS_DEBUG: "0"\n      API_TOKEN: "${token}"`), "token");
  const words = secretWordsOf();
  const first = await renderedTextMask(gh, { environment: "prod", shas: [merge, base], words });
  expect(first.gap).toBeUndefined();
  expect(first.apply(evidence)).toBe(`Readiness probe failed: token ${maskedMarker} rejected; password=hunter22`);

  let builds = 0;
  const stop = onKustomizeBuild(() => builds++);
  try {
    const again = await renderedTextMask(gh, { environment: "prod", shas: [merge, base], words });
    expect(again.apply(evidence)).toBe(first.apply(evidence));
  } finally {
    stop();
  }
  expect(builds).toBe(0);
});

it("a commit whose environment does not render: the gap is named, the values of the other commit and secret-named pairs are masked", async () => {
  const good = commitOnMain((t) => t.replace('WORDPRESS_DEBUG: "0"', `WORDPRESS_DEBUG: "0"\n      API_TOKEN: "${token}"`), "token");
  const broken = commitOnMain((t) => t.replace("replicas: 3", "replicas: lots"), "broken");
  const mask = await renderedTextMask(gh, { environment: "prod", shas: [broken, good], words: secretWordsOf() });
  expect(mask.gap).toContain(`Secret values of prod at ${broken.slice(0, 7)} could not be computed (the render failed)`);
  expect(mask.apply(evidence)).toBe(`Readiness probe failed: token ${maskedMarker} rejected; password=${maskedMarker}`);
});
