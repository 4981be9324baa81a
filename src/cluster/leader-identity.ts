// A Lease holder identity unique to this process. The pod name alone is not enough: two replicas
// started with the same HOSTNAME (a copied Deployment, `hostNetwork`, two processes in one pod,
// a test harness) would each take the other's renewals for their own and both lead. client-go
// adds a UUID to the hostname for the same reason (`id := hostname + "_" + uuid`).
import { randomUUID } from "node:crypto";

/** `<hostname>_<uuid>`: the pod name stays readable in `kubectl get lease`, the suffix makes it unique. */
export function leaderIdentity(hostname: string | undefined, uuid: () => string = randomUUID): string {
  const host = (hostname ?? "").trim() || "kustodian";
  return `${host}_${uuid()}`;
}
