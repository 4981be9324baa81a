// The mask of the after-merge texts (src/rollout/secret-mask.ts), from renders as data: what is
// masked when every commit rendered, and what still is (and what the text says) when one did not.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/k8s/manifest-types.ts";
import { maskedMarker } from "../../src/plan/secret-masking.ts";
import { secretWordsOf } from "../../src/plan/secret-values.ts";
import type { EnvironmentRender } from "../../src/rollout/environment-render.ts";
import { textMaskOf } from "../../src/rollout/secret-mask.ts";

const secret = (value: string): KubeObject =>
  ({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "shop" }, stringData: { password: value } }) as KubeObject;
const config = (data: Record<string, string>): KubeObject =>
  ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app-config", namespace: "shop" }, data }) as KubeObject;
const rendered = (...objects: KubeObject[]): EnvironmentRender => ({ kind: "rendered", objects });
const merge = "a".repeat(40);
const base = "b".repeat(40);

describe("textMaskOf", () => {
  it("masks the values of every render (the merge's and the restored commit's), wherever they appear", () => {
    const mask = textMaskOf("prod", [
      { sha: merge, render: rendered(secret("new-password-42"), config({ SHOP_TOKEN: "tok-123456789" })) },
      { sha: base, render: rendered(secret("old-password-41")) },
    ]);
    expect(mask.gap).toBeUndefined();
    expect(mask.apply("Readiness probe failed: login new-password-42 / old-password-41 with tok-123456789")).toBe(
      `Readiness probe failed: login ${maskedMarker} / ${maskedMarker} with ${maskedMarker}`,
    );
    // Nothing else is touched: the evidence keeps its words.
    expect(mask.apply("Pod/web-1 container web: Unhealthy: password=hunter22")).toBe(
      "Pod/web-1 container web: Unhealthy: password=hunter22",
    );
  });

  it("takes the repository's own secret words", () => {
    const words = secretWordsOf({ secrets: { keyWords: ["dsn"] } });
    const mask = textMaskOf("prod", [{ sha: merge, render: rendered(config({ SHOP_DSN: "mysql://u:p@db/shop" })) }], words);
    expect(mask.apply("cannot reach mysql://u:p@db/shop")).toBe(`cannot reach ${maskedMarker}`);
  });

  it("a render that failed: the values known are masked, so is every value under a secret-named key, and the gap is said", () => {
    const mask = textMaskOf("prod", [
      { sha: merge, render: { kind: "failed" } },
      { sha: base, render: rendered(secret("old-password-41")) },
    ]);
    expect(mask.apply("login old-password-41 failed; password=hunter22, API_TOKEN: 'abc' db_passwd=x|y")).toBe(
      `login ${maskedMarker} failed; password=${maskedMarker}, API_TOKEN: '${maskedMarker}' db_passwd=${maskedMarker}|y`,
    );
    expect(mask.gap).toBe(
      "Secret values of prod at aaaaaaa could not be computed (the render failed): quoted messages are masked only with the values of the other renders and where a key names a secret.",
    );
  });

  it("hostile quotes after a failed render: runs built to make a pattern backtrack are masked in one pass, pairs inside values too", () => {
    // What an app can print into a probe body or a termination message. With a pattern of nested
    // runs, 10 KB of "password" took 46 s; these are 200 KB each.
    const mask = textMaskOf("prod", [{ sha: merge, render: { kind: "failed" } }]);
    const words = "password".repeat(25_000);
    expect(mask.apply(words)).toBe(words);
    const run = "x".repeat(200_000);
    expect(mask.apply(`${run}=1 token=t0k`)).toBe(`${run}=1 token=${maskedMarker}`);
    expect(mask.apply("a=password=hunter22 b.secret_key:'k3y'")).toBe(`a=password=${maskedMarker} b.secret_key:'${maskedMarker}'`);
    const pairs = "a=".repeat(100_000);
    expect(mask.apply(`${pairs}password=x`)).toBe(`${pairs}password=${maskedMarker}`);
  });

  it("an environment absent at a commit (created by the merge) is no gap", () => {
    const mask = textMaskOf("prod", [
      { sha: merge, render: rendered(secret("new-password-42")) },
      { sha: base, render: { kind: "absent" } },
    ]);
    expect(mask.gap).toBeUndefined();
    expect(mask.apply("new-password-42")).toBe(maskedMarker);
  });
});
