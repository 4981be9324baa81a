import { beforeAll, describe, expect, it } from "vitest";
import type { KubeObject, Secret } from "../../src/k8s/manifest-types.ts";
import { manifestDiff, manifestDiffs, objectKey } from "../../src/plan/manifest-diff.ts";
import { maskedSecret } from "../../src/plan/secret-masking.ts";
import { renderBase, renderBaseText, renderEditedBase, replaceIn, withDeployment, withObject } from "./fixtures.ts";

let base: KubeObject[];
beforeAll(() => {
  base = renderBase();
});

const secret = (values: { data?: Record<string, string>; stringData?: Record<string, string> }): Secret => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "db", namespace: "app" },
  type: "Opaque",
  ...values,
});
// The base's only Secret value line, masked in the diff.
// The sample's Secret value is "wordpress": the Secret's own entry is masked, and so is every config
// or env value equal to it (issue 11: a Secret value copied elsewhere must not show), names and images not.
const maskedIfSecretValue = (line: string) =>
  /^ *(dbpwd|MYSQL_DATABASE|value): wordpress$/.test(line) ? line.replace(/wordpress$/, "<masked>") : line;
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

describe("manifestDiff", () => {
  it("is empty when nothing changed", () => {
    expect(manifestDiffs(base, structuredClone(base))).toEqual([]);
    expect(manifestDiff(base, base)).toBe("");
  });

  it("diffs a changed object line by line", () => {
    const head = withDeployment(base, "wordpress", (d) => {
      const first = d.spec.template.spec.containers[0];
      if (first !== undefined) first.image = "wordpress:5.4.0-apache";
    });
    const diffs = manifestDiffs(base, head);
    expect(diffs.map(({ key, change, name }) => ({ key, change, name }))).toEqual([
      { key: "apps/Deployment/kube-example/wordpress", change: "changed", name: "wordpress" },
    ]);
    expect(diffs[0]?.diff).toContain("--- base/Deployment/kube-example/wordpress\n+++ head/Deployment/kube-example/wordpress\n");
    expect(diffs[0]?.diff).toContain("\n-        image: wordpress:5.3.2-apache\n+        image: wordpress:5.4.0-apache\n");
  });

  it("pairs a regenerated ConfigMap by its un-hashed name: a change, not a delete and an add", () => {
    const head = renderEditedBase((files) =>
      files.write(
        "kustomization.yaml",
        replaceIn(files.read("kustomization.yaml"), "WORDPRESS_TABLE_PREFIX=wp_", "WORDPRESS_TABLE_PREFIX=blog_"),
      ),
    );
    const diffs = manifestDiffs(base, head);
    expect(diffs.map(({ key, change }) => [key, change])).toEqual([
      ["core/ConfigMap/kube-example/wordpress-config", "changed"],
      ["apps/Deployment/kube-example/wordpress", "changed"],
    ]);
    expect(diffs[0]?.diff).toMatch(/- {2}WORDPRESS_TABLE_PREFIX: wp_\n\+ {2}WORDPRESS_TABLE_PREFIX: blog_\n/);
    expect(diffs[1]?.diff).toMatch(/- {12}name: wordpress-config-mgb724826k\n\+ {12}name: wordpress-config-\w{10}\n/);
  });

  it("lists added and removed objects against /dev/null", () => {
    const head = base.filter((object) => object.kind !== "Ingress");
    const added: KubeObject = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "wordpress", namespace: "kube-example" } };
    const diffs = manifestDiffs(base, [...head, added]);
    expect(diffs.map(({ key, change }) => [key, change])).toEqual([
      ["core/ServiceAccount/kube-example/wordpress", "added"],
      ["networking.k8s.io/Ingress/kube-example/wordpress", "removed"],
    ]);
    expect(
      diffs[0]?.diff.startsWith("--- /dev/null\n+++ head/ServiceAccount/kube-example/wordpress\n@@ -0,0 +1,5 @@\n+apiVersion: v1\n"),
    ).toBe(true);
    expect(diffs[1]?.diff).toContain("+++ /dev/null\n");
  });

  it("writes objects as kustomize build does, so diff lines are the lines people render", () => {
    const added = manifestDiffs([], base)
      .flatMap((objectDiff) => objectDiff.diff.split("\n").filter((line) => line.startsWith("+") && !line.startsWith("+++")))
      .map((line) => line.slice(1));
    const rendered = renderBaseText()
      .split("\n")
      .filter((line) => line !== "---" && line !== "");
    expect(added).toEqual(rendered.map(maskedIfSecretValue));
  });

  it("keys by API group, so a new apiVersion of the same object is a change", () => {
    const v1 = withObject(base, "HorizontalPodAutoscaler", "wordpress", (object) => void (object.apiVersion = "autoscaling/v1"));
    expect(manifestDiffs(v1, base).map(({ key, change }) => [key, change])).toEqual([
      ["autoscaling/HorizontalPodAutoscaler/kube-example/wordpress", "changed"],
    ]);
    expect(objectKey({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app-config-t6bgk2727h" } })).toBe(
      "core/ConfigMap//app-config",
    );
  });
});

describe("Secret masking in the diff", () => {
  const cases: Array<{ name: string; before: Secret | undefined; after: Secret | undefined; secrets: string[]; lines: string[] }> = [
    {
      name: "a changed stringData value shows as changed",
      before: secret({ stringData: { password: "old-pa55-xyz", user: "keep-me-123" } }),
      after: secret({ stringData: { password: "new-pa55-xyz", user: "keep-me-123" } }),
      secrets: ["old-pa55-xyz", "new-pa55-xyz", "keep-me-123"],
      lines: ["-  password: <masked>", "+  password: <changed>", "   user: <masked>"],
    },
    {
      name: "a changed data value shows as changed; base64 never appears either",
      before: secret({ data: { token: b64("tok-aaa-111") } }),
      after: secret({ data: { token: b64("tok-bbb-222") } }),
      secrets: ["tok-aaa-111", "tok-bbb-222", b64("tok-aaa-111"), b64("tok-bbb-222")],
      lines: ["-  token: <masked>", "+  token: <changed>"],
    },
    {
      name: "the same bytes moved from data to stringData are not a changed value",
      before: secret({ data: { token: b64("same-value-42") } }),
      after: secret({ stringData: { token: "same-value-42" } }),
      secrets: ["same-value-42", b64("same-value-42")],
      lines: ["-data:", "+stringData:", "   token: <masked>"],
    },
    {
      name: "an added key is masked, an unchanged one never shows",
      before: secret({ stringData: { a: "alpha-secret" } }),
      after: secret({ stringData: { a: "alpha-secret", b: "beta-secret" } }),
      secrets: ["alpha-secret", "beta-secret"],
      lines: ["+  b: <masked>"],
    },
    {
      name: "an added Secret is masked entirely",
      before: undefined,
      after: secret({ data: { key: b64("brand-new-1") }, stringData: { other: "brand-new-2" } }),
      secrets: ["brand-new-1", "brand-new-2", b64("brand-new-1")],
      lines: ["+  key: <masked>", "+  other: <masked>"],
    },
    {
      name: "a removed Secret is masked entirely",
      before: secret({ stringData: { gone: "gone-value-9" } }),
      after: undefined,
      secrets: ["gone-value-9"],
      lines: ["-  gone: <masked>"],
    },
    {
      name: "a label change on a Secret still masks its values",
      before: secret({ stringData: { p: "label-case-pw" } }),
      after: { ...secret({ stringData: { p: "label-case-pw" } }), metadata: { name: "db", namespace: "app", labels: { team: "web" } } },
      secrets: ["label-case-pw"],
      lines: ["+  labels:", "   p: <masked>"],
    },
  ];

  it.each(cases)("$name", ({ before, after, secrets, lines }) => {
    const text = manifestDiff(before === undefined ? [] : [before], after === undefined ? [] : [after]);
    for (const value of secrets) expect(text).not.toContain(value);
    for (const line of lines) expect(text.split("\n")).toContain(line);
  });

  it("the base's own Secret value never appears when its generator changes", () => {
    const generated = (password: string) =>
      renderEditedBase((files) =>
        files.write(
          "kustomization.yaml",
          replaceIn(files.read("kustomization.yaml"), "  - db-secret.yaml\n", "") +
            `secretGenerator:\n  - name: wordpress-db-pwd\n    literals:\n      - dbpwd=${password}\n`,
        ),
      );
    const text = manifestDiff(generated("before-Pa55!"), generated("after-Pa55!"));
    expect(text).toContain("-  dbpwd: <masked>\n+  dbpwd: <changed>\n");
    for (const value of ["before-Pa55!", "after-Pa55!", b64("before-Pa55!"), b64("after-Pa55!")]) expect(text).not.toContain(value);
  });

  it("masks kubectl's last-applied annotation, which carries the values", () => {
    const applied = secret({ stringData: { p: "annotated-pw" } });
    applied.metadata.annotations = {
      "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ stringData: { p: "annotated-pw" } }),
    };
    expect(JSON.stringify(maskedSecret(applied))).not.toContain("annotated-pw");
  });
});
