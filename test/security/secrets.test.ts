// Secrets never leave: Secret values, and config/env values whose key names a secret, are masked
// wherever they show up — including a ConfigMap that a `replacements:` copied a Secret value into.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/k8s/manifest-types.ts";
import { parseAppConfig } from "../../src/config/app-config.ts";
import { maskedText, maskedValues, namesASecret, secretKeyWords, sensitiveValues } from "../../src/plan/secret-values.ts";
import { deliverPullRequestOpened, startHarness, type Harness } from "../app/harness.ts";
import { branchSetting, requestsCarrying } from "./secret-leaks.ts";

const secret = "hunter2-Sup3rS3cret";

describe("sensitive values (pure)", () => {
  it("key names that name a secret", () => {
    for (const name of [
      "WORDPRESS_DB_PASSWORD",
      "api_token",
      "AWS_SECRET_ACCESS_KEY",
      "db-passwd",
      "PRIVATE_KEY",
      "GITHUB_APIKEY",
      "credentials.json",
    ])
      expect(namesASecret(name)).toBe(true);
    for (const name of ["WORDPRESS_DEBUG", "WORDPRESS_DB_HOST", "replicas"]) expect(namesASecret(name)).toBe(false);
  });

  it("the repository's own key words add to the defaults, never replace them", () => {
    const words = secretKeyWords(["Signing", "dsn"]);
    for (const [name, masked] of [
      ["STRIPE_SIGNING", true],
      ["SENTRY_DSN", true],
      ["WORDPRESS_DB_PASSWORD", true],
      ["API_TOKEN", true],
      ["WORDPRESS_DEBUG", false],
    ] as const)
      expect([name, namesASecret(name, words)]).toEqual([name, masked]);
    expect(namesASecret("STRIPE_SIGNING")).toBe(false);
  });

  it("secrets.keyWords in .github/kustodian.yml: strict, errors name the field", () => {
    expect(parseAppConfig({ secrets: { keyWords: ["signing"] } })).toMatchObject({
      ok: true,
      config: { secrets: { keyWords: ["signing"] } },
    });
    expect(parseAppConfig({})).toMatchObject({ ok: true, config: { secrets: { keyWords: [] } } });
    const tooShort = parseAppConfig({ secrets: { keyWords: ["ab"] } });
    expect(tooShort.ok).toBe(false);
    expect(!tooShort.ok && tooShort.problems[0]).toMatch(/^\.github\/kustodian\.yml secrets\.keyWords\.0: /);
    const replacing = parseAppConfig({ secrets: { keyWords: ["signing"], replaceDefaults: true } });
    expect(!replacing.ok && replacing.problems).toEqual([".github/kustodian.yml secrets.replaceDefaults: unknown field"]);
  });

  it("texts (environment files, overlays, their diffs): secret-named values masked line by line, hidden values anywhere", () => {
    for (const [line, shown] of [
      ["+      - WORDPRESS_DB_PASSWORD=hunter2", "+      - WORDPRESS_DB_PASSWORD=<masked>"],
      ['       WORDPRESS_DB_PASSWORD: "hunter2"', "       WORDPRESS_DB_PASSWORD: <masked>"],
      ["-  api_token: abc", "-  api_token: <masked>"],
      ["+      - WORDPRESS_DEBUG=0", "+      - WORDPRESS_DEBUG=0"],
      ["     image: wordpress:6.7.1", "     image: wordpress:6.7.1"],
      ["   STRIPE_SIGNING: whsec", "   STRIPE_SIGNING: whsec"],
    ] as const)
      expect(maskedText(line)).toBe(shown);
    expect(maskedText("   STRIPE_SIGNING: whsec", undefined, secretKeyWords(["signing"]))).toBe("   STRIPE_SIGNING: <masked>");
    expect(maskedText("  url: postgres://u:s3cr3t-v@db", new Set(["s3cr3t-v"]))).toBe("  url: postgres://u:<masked>@db");
  });

  it("a Secret value copied into a ConfigMap (replacements:) is masked there too", () => {
    const objects = [
      { apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, data: { password: Buffer.from(secret).toString("base64") } },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "copy" }, data: { copied: secret, other: "plain" } },
    ] as unknown as KubeObject[];
    const hidden = sensitiveValues(objects);
    expect(maskedValues(objects[1]!, hidden)).toMatchObject({ data: { copied: "<masked>", other: "plain" } });
  });
});

describe("on the fake GitHub", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => {
    h.github.uninstall();
    expect(h.github.unmatched).toEqual([]);
  });

  it("a config value under WORDPRESS_DB_PASSWORD appears in no comment, check run or commit message", async () => {
    const headSha = await branchSetting(h, "db-password", "WORDPRESS_DB_PASSWORD", secret);
    await deliverPullRequestOpened(h, "db-password", headSha);
    // The plan was made (the change is there, its value masked).
    const plan = h.github.comments.get(7)!.find((c) => c.body.includes("<!-- kustodian:plan"))!.body;
    expect(plan).toContain("WORDPRESS_DB_PASSWORD");
    expect(plan).toContain("<masked>");
    // Nowhere in anything sent to GitHub, except the file contents the commit carries back to the author's own branch.
    expect(requestsCarrying(h, secret)).toEqual([]);
  });

  it("a key word configured in .github/kustodian.yml (STRIPE_SIGNING) is masked in the plan comment and check run", async () => {
    const signing = "whsec_Xy7-unique-signing-value";
    h.github.config = "secrets:\n  keyWords: [signing]\n";
    const headSha = await branchSetting(h, "stripe", "STRIPE_SIGNING", signing);
    await deliverPullRequestOpened(h, "stripe", headSha);
    const plan = h.github.comments.get(7)!.find((c) => c.body.includes("<!-- kustodian:plan"))!.body;
    expect(plan).toContain("STRIPE_SIGNING");
    expect(plan).toContain("<masked>");
    expect(plan).not.toContain(signing);
    expect(JSON.stringify(h.github.checkRuns)).not.toContain(signing);
    expect(requestsCarrying(h, signing)).toEqual([]);
  });
});
