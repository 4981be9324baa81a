// Secrets never leave: Secret values, and config/env values whose key names a secret, are masked
// wherever they show up — including a ConfigMap that a `replacements:` copied a Secret value into.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/k8s/manifest-types.ts";
import { maskedValues, namesASecret, sensitiveValues } from "../../src/plan/secret-values.ts";
import { pullRequestEvent } from "../app/payloads.ts";
import { openBranch, startHarness, type Harness } from "../app/harness.ts";

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
    const headSha = await openBranch(h.dir, "db-password", (t) =>
      t.replace('WORDPRESS_DEBUG: "0"', `WORDPRESS_DEBUG: "0"\n      WORDPRESS_DB_PASSWORD: "${secret}"`),
    );
    h.github.pulls.set(7, {
      number: 7,
      title: "t",
      headRef: "db-password",
      baseRef: "main",
      fork: false,
      state: "open",
      merged: false,
      labels: [],
    });
    await h.deliver(
      "pull_request",
      pullRequestEvent({ action: "opened", headSha, baseSha: h.github.head("main"), headRef: "db-password" }),
    );
    await h.settle();
    // The plan was made (the change is there, its value masked).
    const plan = h.github.comments.get(7)!.find((c) => c.body.includes("<!-- kustodian:plan"))!.body;
    expect(plan).toContain("WORDPRESS_DB_PASSWORD");
    expect(plan).toContain("<masked>");
    // Nowhere in anything sent to GitHub, except the file contents the commit carries back to the author's own branch.
    for (const call of h.github.calls) {
      const body = structuredClone(call.body) as { input?: { fileChanges?: unknown } } | undefined;
      if (body?.input?.fileChanges) body.input.fileChanges = "(file contents)";
      expect(JSON.stringify(body ?? "")).not.toContain(secret);
    }
  });
});
