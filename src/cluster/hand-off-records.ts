// Records a replica leaves for the Lease holder: ConfigMaps labelled kustodian.dev/hand-off=merge
// in kustodian's own namespace (beside the Lease), created by whichever replica received a push,
// seen by the leader through one informer (its first list brings the ones left while no replica
// led) and deleted once taken. The record is a hint to watch sooner, never a reason to act: the
// leader acts only on the Deployment the app created on GitHub (src/rollout/hand-off.ts).
import { CoreV1Api, type KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { errorFields, type Log } from "../log/log.ts";
import type { SharedInformers } from "./shared-informers.ts";
import { HAND_OFF_LABEL } from "./watched-kinds.ts";

export interface HandOffRecords {
  /** Creates the record `name` (an existing one of that name is left as it is: the same hand-off). */
  write(name: string, data: Record<string, string>): Promise<void>;
  /**
   * Calls `take` with every record, those already there first, and deletes each once taken
   * (a record `take` throws on is deleted too: it can never be taken). Until `stop()`.
   */
  watch(take: (name: string, data: Record<string, string>) => void): { stop(): void };
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

export function createHandOffRecords(options: {
  kubeConfig: KubeConfig;
  /** kustodian's own namespace (the Lease's). */
  namespace: string;
  /** Where the leader's informer comes from (restarted with backoff on errors). */
  informers: SharedInformers;
  /** The informers' name for the cluster of `kubeConfig`. */
  context: string;
  log: Log;
}): HandOffRecords {
  const api = options.kubeConfig.makeApiClient(CoreV1Api);
  const { namespace, log } = options;

  async function remove(name: string): Promise<void> {
    try {
      await api.deleteNamespacedConfigMap({ name, namespace });
    } catch (error) {
      if (statusCode(error) !== 404) log.warn({ err: errorFields(error), record: name }, "could not delete a hand-off record");
    }
  }

  return {
    async write(name, data) {
      try {
        await api.createNamespacedConfigMap({
          namespace,
          body: { metadata: { name, namespace, labels: { [HAND_OFF_LABEL]: "merge", "app.kubernetes.io/managed-by": "kustodian" } }, data },
        });
      } catch (error) {
        if (statusCode(error) !== 409) throw error;
      }
    },
    watch(take) {
      const handle = options.informers.acquire({ context: options.context, kind: "HandOff", namespace });
      const taken = new Set<string>();
      const off = handle.subscribe((event, object) => {
        const name = object.metadata?.name;
        if (!name) return;
        if (event === "delete") {
          taken.delete(name);
          return;
        }
        if (taken.has(name)) return;
        taken.add(name);
        try {
          take(name, (object as V1ConfigMap).data ?? {});
        } catch (error) {
          log.warn({ err: errorFields(error), record: name }, "a hand-off record that cannot be taken; deleted");
        }
        void remove(name);
      });
      return {
        stop() {
          off();
          handle.release();
        },
      };
    },
  };
}
