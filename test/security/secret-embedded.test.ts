// A Secret's value inside a longer string — a DSN in a ConfigMap, an env value, a line of the plan,
// a commit message — is masked wherever it appears (issue 11). Values of at least 8 characters are
// masked inside text; shorter ones only where a whole value equals them; a value that is part of a
// name the manifests show anyway (the sample's `wordpress`) only where a whole value equals it.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/k8s/manifest-types.ts";
import { embeddedMinimum, maskedValues, redact, sensitiveValues } from "../../src/plan/secret-values.ts";
import { git } from "../helpers/git-repo.ts";
import { deliverPullRequestOpened, type Harness } from "../app/harness.ts";
import { branchSetting, requestsCarrying, startHarnessCapturingLogs } from "./secret-leaks.ts";

const password = "Pa55-w0rd-Very-S3cret";
const dsn = (value: string) => `mysql://wordpress:${value}@wordpress-mysql:3306/wordpress`;

function objects(secretValue: string, extra: Record<string, string> = {}): KubeObject[] {
  return [
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "wordpress-db-pwd", labels: { app: "wordpress" } },
      stringData: { dbpwd: secretValue },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "wordpress-config", labels: { app: "wordpress" } },
      data: { WORDPRESS_DB_URL: dsn(secretValue), WORDPRESS_DEBUG: "0", ...extra },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "wordpress", labels: { app: "wordpress" } },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: "wordpress",
                image: "wordpress:6.7.1-apache",
                env: [
                  { name: "MYSQL_USER", value: "wordpress" },
                  { name: "DB_URL", value: dsn(secretValue) },
                ],
              },
            ],
          },
        },
      },
    },
  ] as unknown as KubeObject[];
}

describe("a Secret value inside longer strings (pure)", () => {
  it("a DSN in a ConfigMap and in an env value: the password part masked, the rest shown", () => {
    const all = objects(password);
    const hidden = sensitiveValues(all);
    expect(maskedValues(all[1]!, hidden)).toMatchObject({
      data: { WORDPRESS_DB_URL: "mysql://wordpress:<masked>@wordpress-mysql:3306/wordpress", WORDPRESS_DEBUG: "0" },
    });
    const env = (maskedValues(all[2]!, hidden) as unknown as { spec: { template: { spec: { containers: { env: unknown }[] } } } }).spec
      .template.spec.containers[0]!.env;
    expect(env).toEqual([
      { name: "MYSQL_USER", value: "wordpress" },
      { name: "DB_URL", value: "mysql://wordpress:<masked>@wordpress-mysql:3306/wordpress" },
    ]);
  });

  it("in free text (a comment, a commit message, a log line): every occurrence, also base64", () => {
    const hidden = sensitiveValues(objects(password));
    const text = `connect ${dsn(password)} failed; retry with ${password}; as base64 ${Buffer.from(password).toString("base64")}`;
    const masked = redact(text, hidden);
    expect(masked).not.toContain(password);
    expect(masked).not.toContain(Buffer.from(password).toString("base64"));
    expect(masked).toBe(
      "connect mysql://wordpress:<masked>@wordpress-mysql:3306/wordpress failed; retry with <masked>; as base64 <masked>",
    );
  });

  it(`a value shorter than ${embeddedMinimum} characters is masked only where a whole value equals it`, () => {
    const short = "S3cr3t";
    const all = objects(short, { SAME: short });
    const hidden = sensitiveValues(all);
    expect(maskedValues(all[1]!, hidden)).toMatchObject({ data: { SAME: "<masked>", WORDPRESS_DB_URL: dsn(short) } });
    expect(redact(`the word ${short} in text`, hidden)).toBe(`the word ${short} in text`);
  });

  it("the sample's Secret value `wordpress` (also the app's name): equal values masked, names, images and text left alone", () => {
    const all = objects("wordpress", { MYSQL_DATABASE: "wordpress" });
    const hidden = sensitiveValues(all);
    const configMap = maskedValues(all[1]!, hidden) as unknown as { data: Record<string, string> };
    expect(configMap.data.MYSQL_DATABASE).toBe("<masked>");
    expect(configMap.data.WORDPRESS_DB_URL).toBe(dsn("wordpress"));
    expect(redact("image wordpress:6.7.1-apache in deployment/wordpress", hidden)).toBe(
      "image wordpress:6.7.1-apache in deployment/wordpress",
    );
  });

  it("many Secrets over a long text: every one masked, one marker per run", () => {
    const values = Array.from({ length: 2000 }, (_, i) => `secret-value-${i.toString(36).padStart(4, "0")}-x`);
    const secrets = values.map((v, i) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: `s${i}` }, stringData: { v } }));
    const hidden = sensitiveValues(secrets as unknown as KubeObject[]);
    const text = values.map((v, i) => `line ${i}: url=https://u:${v}@host/${i}`).join("\n");
    const masked = redact(text, hidden);
    for (const v of values) expect(masked.includes(v)).toBe(false);
    expect(masked.split("\n")[7]).toBe("line 7: url=https://u:<masked>@host/7");
  });
});

describe("on the fake GitHub", () => {
  let h: Harness;
  let lines: string[];
  beforeEach(async () => {
    ({ h, lines } = await startHarnessCapturingLogs());
  });
  afterEach(() => {
    h.github.uninstall();
    expect(h.github.unmatched).toEqual([]);
  });

  it("a DSN carrying the database Secret's password appears in no comment, check run, request or log line, the rest of it readable", async () => {
    // The repository's Secret holds a real password (the sample's is `wordpress`).
    const secretFile = join(h.dir, "base/db-secret.yaml");
    await writeFile(secretFile, (await readFile(secretFile, "utf8")).replace("dbpwd: wordpress", `dbpwd: ${password}`));
    await git(h.dir, "commit", "-qam", "a real password");
    const headSha = await branchSetting(h, "db-url", "WORDPRESS_DB_URL", dsn(password));
    await deliverPullRequestOpened(h, "db-url", headSha);

    const plan = h.github.comments.get(7)!.find((c) => c.body.includes("<!-- kustodian:plan"))!.body;
    expect(plan).toContain("WORDPRESS_DB_URL");
    expect(plan).toContain("mysql://wordpress:<masked>@wordpress-mysql:3306/wordpress");
    expect(plan).toContain("ConfigMap wordpress-config-"); // names stay readable
    expect(plan).not.toContain(password);
    expect(JSON.stringify(h.github.checkRuns)).not.toContain(password);
    expect(requestsCarrying(h, password)).toEqual([]);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes(password) || l.includes(Buffer.from(password).toString("base64")))).toEqual([]);
  });
});
