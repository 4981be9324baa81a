// deploy/: kustodian's own manifests build with the real kustomize, their overlays are what their
// environment files generate, and kustodian's own plan has nothing to say against them.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { planForTrees } from "../../src/repo/plan-for-trees.ts";
import { readTree } from "../../src/repo/fs-snapshot.ts";
import { runCli } from "../helpers/cli.ts";
import { repoRoot } from "../helpers/repo-root.ts";

const deployDir = join(repoRoot, "deploy");
const environments = ["production", "staging"];

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
}

function build(dir: string): Obj[] {
  const text = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
  return parseAllDocuments(text).map((d) => d.toJS() as Obj);
}

describe("deploy/", () => {
  it("`kubectl kustomize deploy` and every overlay build: a Deployment of 2 Guaranteed replicas with probes, a PDB, a Service, RBAC bound to the ServiceAccount", () => {
    for (const dir of [deployDir, ...environments.map((e) => join(deployDir, "overlays", e))]) {
      const objects = build(dir);
      const kinds = objects.map((o) => o.kind).sort();
      expect(kinds).toEqual(
        [
          "ClusterRole",
          "ClusterRoleBinding",
          "ConfigMap",
          "Deployment",
          "Namespace",
          "PodDisruptionBudget",
          "Role",
          "RoleBinding",
          "Service",
          "ServiceAccount",
        ].sort(),
      );
      const deployment = objects.find((o) => o.kind === "Deployment")!;
      expect(deployment.spec.replicas).toBe(2);
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0];
      expect(container.resources.requests).toEqual(container.resources.limits);
      expect(container.readinessProbe.httpGet.path).toBe("/readyz");
      expect(container.livenessProbe.httpGet.path).toBe("/healthz");
      expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.serviceAccountName).toBe("kustodian");
      expect(pod.affinity.podAntiAffinity).toBeDefined();
      expect(container.lifecycle.preStop.sleep.seconds).toBeLessThan(pod.terminationGracePeriodSeconds);
      // Credentials are references to a Secret created outside git; no Secret is rendered.
      const secretEnv = (container.env as { name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }[]).filter((e) =>
        ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"].includes(e.name),
      );
      expect(secretEnv.map((e) => [e.name, e.value, Boolean(e.valueFrom?.secretKeyRef)])).toEqual([
        ["APP_ID", undefined, true],
        ["PRIVATE_KEY", undefined, true],
        ["WEBHOOK_SECRET", undefined, true],
      ]);
      const namespace = objects.find((o) => o.kind === "Namespace")!.metadata.name;
      for (const binding of objects.filter((o) => o.kind.endsWith("Binding"))) {
        expect((binding as unknown as { subjects: unknown[] }).subjects).toEqual([
          { kind: "ServiceAccount", name: "kustodian", namespace },
        ]);
      }
    }
  });

  it("the overlays are what deploy/environments/*.yaml generate (`kustodian render --check` in deploy/)", async () => {
    const run = await runCli(deployDir, "render", "--check");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it("kustodian's own plan of deploy/ has no blocking finding and no warning", async () => {
    const head = new Map<string, string>();
    for (const dir of ["environments", "base", "overlays"]) for (const [path, text] of await readTree(deployDir, dir)) head.set(path, text);
    const plan = await planForTrees(new Map(), head, { base: "nothing", head: "deploy/" });
    expect(plan.environments.map((e) => [e.name, e.status])).toEqual(environments.map((e) => [e, expect.any(String)]));
    for (const env of plan.environments) {
      expect(env.problems).toEqual([]);
      expect(env.renderError).toBeUndefined();
      expect(env.rollouts.map((r) => r.workload)).toEqual(["kustodian"]);
      expect(env.findings.filter((f) => f.severity !== "note").map((f) => `${env.name}: ${f.id} ${f.message}`)).toEqual([]);
    }
    expect(plan.blocking).toBe(false);
  });
});
