// Whether the cluster answers (for /readyz): GET /version, which every authenticated client may
// read (Kubernetes' system:discovery role), so it needs no RBAC beyond what deploy/ grants.
import { VersionApi, type KubeConfig } from "@kubernetes/client-node";

export interface Reachability {
  ok: boolean;
  detail: string;
}

/** Asks the cluster of kc's current context for its version, within timeoutMs. */
export async function clusterReachable(kc: KubeConfig, timeoutMs = 2000): Promise<Reachability> {
  const api = kc.makeApiClient(VersionApi);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const version = await Promise.race([api.getCode(), timeout]);
    return { ok: true, detail: `cluster ${kc.getCurrentCluster()?.name ?? "?"} answers (${version.gitVersion})` };
  } catch (error) {
    return { ok: false, detail: `cluster ${kc.getCurrentCluster()?.name ?? "?"} unreachable: ${(error as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}
