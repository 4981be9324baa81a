// The kubeconfig the after-merge watch uses, loaded as client-node's loadFromDefault does
// ($KUBECONFIG, else ~/.kube/config, else the in-cluster service account), but with a clear
// problem instead of a crash (a KUBECONFIG naming a missing file) or a silent fallback to
// http://localhost:8080 (no kubeconfig at all), so the server says at startup what is missing.
import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

export type KubeConfigResult = { ok: true; kubeConfig: KubeConfig; source: string } | { ok: false; problem: string };

const inClusterTokenPath = "/var/run/secrets/kubernetes.io/serviceaccount/token";

function readable(path: string): "ok" | "missing" | "unreadable" {
  try {
    accessSync(path, constants.R_OK);
    return "ok";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "unreadable";
  }
}

export function loadKubeConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = homedir(),
): KubeConfigResult {
  const kubeConfig = new KubeConfig();
  const fromEnv = env.KUBECONFIG?.split(delimiter).filter(Boolean) ?? [];
  try {
    if (fromEnv.length > 0) {
      for (const path of fromEnv) {
        const state = readable(path);
        if (state !== "ok")
          return { ok: false, problem: `KUBECONFIG names ${path}, which ${state === "missing" ? "does not exist" : "cannot be read"}` };
      }
      kubeConfig.loadFromFile(fromEnv[0]!);
      for (const path of fromEnv.slice(1)) {
        const more = new KubeConfig();
        more.loadFromFile(path);
        kubeConfig.mergeConfig(more, true); // the first file's current context, as kubectl
      }
      return { ok: true, kubeConfig, source: `KUBECONFIG=${env.KUBECONFIG}` };
    }
    const homeConfig = join(home, ".kube", "config");
    const state = readable(homeConfig);
    if (state === "unreadable") return { ok: false, problem: `${homeConfig} cannot be read` };
    if (state === "ok") {
      kubeConfig.loadFromFile(homeConfig);
      return { ok: true, kubeConfig, source: homeConfig };
    }
    if (env.KUBERNETES_SERVICE_HOST && readable(inClusterTokenPath) === "ok") {
      kubeConfig.loadFromCluster();
      return { ok: true, kubeConfig, source: "in-cluster service account" };
    }
  } catch (error) {
    return { ok: false, problem: `the kubeconfig cannot be loaded: ${(error as Error).message}` };
  }
  return {
    ok: false,
    problem: `no kubeconfig: KUBECONFIG is not set, ${join(home, ".kube", "config")} does not exist and this is not a pod with a service account`,
  };
}
