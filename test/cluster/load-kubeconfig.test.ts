import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadKubeConfig } from "../../src/cluster/load-kubeconfig.ts";

const kubeconfig = (context: string) =>
  [
    "apiVersion: v1",
    "kind: Config",
    `current-context: ${context}`,
    "clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:6443' } }]",
    "users: [{ name: u, user: { token: t } }]",
    `contexts: [{ name: ${context}, context: { cluster: c, user: u } }]`,
  ].join("\n");

describe("loadKubeConfig: what is missing, said at startup", () => {
  const dir = mkdtempSync(join(tmpdir(), "kustodian-kubeconfig-"));
  const emptyHome = join(dir, "empty-home");
  mkdirSync(emptyHome);

  it("no KUBECONFIG, no ~/.kube/config, not in a pod: a problem naming all three", () => {
    const result = loadKubeConfig({}, emptyHome);
    expect(result).toEqual({
      ok: false,
      problem: `no kubeconfig: KUBECONFIG is not set, ${join(emptyHome, ".kube", "config")} does not exist and this is not a pod with a service account`,
    });
  });

  it("KUBECONFIG naming a missing file: a problem, no crash", () => {
    const missing = join(dir, "nope.yaml");
    expect(loadKubeConfig({ KUBECONFIG: missing }, emptyHome)).toEqual({
      ok: false,
      problem: `KUBECONFIG names ${missing}, which does not exist`,
    });
  });

  it("a kubeconfig that is not one: a problem", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "{ not: [yaml");
    const result = loadKubeConfig({ KUBECONFIG: bad }, emptyHome);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.problem).toMatch(/^the kubeconfig cannot be loaded: /);
  });

  it("KUBECONFIG with two files: merged, the first one's current context", () => {
    const a = join(dir, "a.yaml");
    const b = join(dir, "b.yaml");
    writeFileSync(a, kubeconfig("prod"));
    writeFileSync(
      b,
      kubeconfig("staging")
        .replace(/name: c\b/g, "name: c2")
        .replace(/cluster: c,/, "cluster: c2,")
        .replace(/name: u\b/g, "name: u2")
        .replace(/user: u }/, "user: u2 }"),
    );
    const result = loadKubeConfig({ KUBECONFIG: `${a}:${b}` }, emptyHome);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.kubeConfig.getContexts().map((c) => c.name)).toEqual(["prod", "staging"]);
    expect(result.kubeConfig.getCurrentContext()).toBe("prod");
  });

  it("~/.kube/config when KUBECONFIG is unset", () => {
    const home = join(dir, "home");
    mkdirSync(join(home, ".kube"), { recursive: true });
    writeFileSync(join(home, ".kube", "config"), kubeconfig("dev"));
    const result = loadKubeConfig({}, home);
    expect(result.ok && result.kubeConfig.getCurrentContext()).toBe("dev");
  });
});
