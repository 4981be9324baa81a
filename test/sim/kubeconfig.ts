// A kubeconfig for the simulator: as a @kubernetes/client-node KubeConfig object, as YAML, or
// written to a file for code that loads one from disk (KUBECONFIG).
import { writeFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { stringify } from "yaml";

export const SIM_CONTEXT = "kustodian-sim";

/**
 * One cluster (the simulator) under `context`, and under each of `aliases` too: environment files
 * name their cluster by kube context (`sync.context`), and every one of them is the simulator.
 */
export function kubeconfigYaml(url: string, context = SIM_CONTEXT, aliases: readonly string[] = []): string {
  const names = [context, ...aliases.filter((a) => a !== context)];
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    // client-node refuses plain HTTP unless TLS verification is off (there is no TLS to verify).
    clusters: [{ name: SIM_CONTEXT, cluster: { server: url, "insecure-skip-tls-verify": true } }],
    users: [{ name: SIM_CONTEXT, user: { token: "kustodian-sim-token" } }],
    contexts: names.map((name) => ({ name, context: { cluster: SIM_CONTEXT, user: SIM_CONTEXT, namespace: "default" } })),
    "current-context": context,
    preferences: {},
  });
}

export function makeKubeConfig(url: string, context = SIM_CONTEXT): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(url, context));
  return kc;
}

/** Writes the kubeconfig to `path` (mode 0600) and returns the path. */
export function writeKubeconfig(url: string, path: string, context = SIM_CONTEXT, aliases: readonly string[] = []): string {
  writeFileSync(path, kubeconfigYaml(url, context, aliases), { mode: 0o600 });
  return path;
}
