import { readFile } from "node:fs/promises";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { classifyRollout, type ClassifyInput, type Verdict } from "../health/index.ts";
import { parseManifests } from "../render/parse-manifests.ts";
import type { CliIo } from "./io.ts";

export interface HealthOptions {
  /** A recorded rollout: a YAML stream or `kind: List` of the Deployment, ReplicaSets, Pods, Events, sync object. */
  file?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  deployment?: string;
  /** `argocd:NAMESPACE/NAME` or `flux:NAMESPACE/NAME` (live mode). */
  sync?: string;
  mergeSha?: string;
  now?: string;
  slackSeconds?: number;
  format: "text" | "json";
}

type Obj = {
  kind?: string;
  apiVersion?: string;
  metadata?: { name?: string; ownerReferences?: { kind?: string; name?: string }[] };
  items?: Obj[];
};

/** `kustodian health`: classify a live or recorded rollout as the watcher would. Exit 0 Healthy, 1 Failed, 3 not decided yet. */
export async function healthCommand(io: CliIo, options: HealthOptions): Promise<number> {
  const objects = options.file ? recorded(await readFile(options.file, "utf8")) : await live(options);
  const deployments = objects.filter((o) => o.kind === "Deployment");
  const deployment = options.deployment
    ? deployments.find((d) => d.metadata?.name === options.deployment)
    : deployments.length === 1
      ? deployments[0]
      : undefined;
  if (!deployment) {
    const names = deployments.map((d) => d.metadata?.name).join(", ") || "none";
    throw Object.assign(
      new Error(
        options.deployment
          ? `no Deployment "${options.deployment}" (found: ${names})`
          : `name the Deployment with --deployment (found: ${names})`,
      ),
      { code: "KUSTODIAN_USAGE" },
    );
  }
  const sync = objects.find((o) => o.kind === "Application" || o.kind === "Kustomization") ?? null;
  if (sync && !options.mergeSha)
    throw Object.assign(new Error("a sync object is present: give the merge commit with --merge-sha"), { code: "KUSTODIAN_USAGE" });
  const input = {
    deployment,
    replicaSets: objects.filter(
      (o) =>
        o.kind === "ReplicaSet" &&
        o.metadata?.ownerReferences?.some((r) => r.kind === "Deployment" && r.name === deployment.metadata?.name),
    ),
    pods: objects.filter((o) => o.kind === "Pod"),
    events: objects.filter((o) => o.kind === "Event"),
    sync,
    // Without a sync object the SHA is not looked at; the classifier still wants a well-formed one.
    mergeSha: options.mergeSha ?? "0".repeat(40),
    now: options.now ? new Date(options.now) : new Date(),
    ...(options.slackSeconds !== undefined ? { slackSeconds: options.slackSeconds } : {}),
  } as unknown as ClassifyInput;
  const verdict = classifyRollout(input);
  io.stdout.write(options.format === "json" ? `${JSON.stringify(verdict, null, 2)}\n` : describe(deployment.metadata?.name ?? "", verdict));
  return verdict.status === "Healthy" ? 0 : verdict.status === "Failed" ? 1 : 3;
}

function describe(name: string, verdict: Verdict): string {
  switch (verdict.status) {
    case "Failed":
      return [
        `Deployment/${name}: Failed (${verdict.reason}): ${verdict.summary}`,
        ...verdict.evidence.map((e) => `  - ${e.object}${e.container ? ` container ${e.container}` : ""}: ${e.reason}: ${e.message}`),
        "",
      ].join("\n");
    case "Progressing":
      return `Deployment/${name}: Progressing: ${verdict.detail}${verdict.nextCheckAt ? ` (decided by ${verdict.nextCheckAt.toISOString()} at the latest)` : ""}\n`;
    default:
      return `Deployment/${name}: ${verdict.status}: ${verdict.detail}\n`;
  }
}

function recorded(text: string): Obj[] {
  return (parseManifests(text) as unknown as Obj[]).flatMap((o) => (o.kind === "List" || o.kind?.endsWith("List") ? (o.items ?? []) : [o]));
}

async function live(options: HealthOptions): Promise<Obj[]> {
  if (!options.namespace) throw Object.assign(new Error("live mode needs --namespace (or give --file)"), { code: "KUSTODIAN_USAGE" });
  const kc = new KubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  if (options.context) kc.setCurrentContext(options.context);
  const namespace = options.namespace;
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const [deployments, replicaSets, pods, events] = await Promise.all([
    apps.listNamespacedDeployment({ namespace }),
    apps.listNamespacedReplicaSet({ namespace }),
    core.listNamespacedPod({ namespace }),
    core.listNamespacedEvent({ namespace }),
  ]);
  // List items carry no kind, as from a real API server.
  const tag = (kind: string, items: unknown[]) => items.map((i) => ({ ...(i as object), kind }) as Obj);
  const objects = [
    ...tag("Deployment", deployments.items),
    ...tag("ReplicaSet", replicaSets.items),
    ...tag("Pod", pods.items),
    ...tag("Event", events.items),
  ];
  if (options.sync) {
    const match = /^(argocd|flux):([^/]+)\/(.+)$/.exec(options.sync);
    if (!match)
      throw Object.assign(new Error(`--sync must be argocd:NAMESPACE/NAME or flux:NAMESPACE/NAME, got "${options.sync}"`), {
        code: "KUSTODIAN_USAGE",
      });
    const [, tool, ns, name] = match;
    const custom = kc.makeApiClient(CustomObjectsApi);
    const object =
      tool === "argocd"
        ? await custom.getNamespacedCustomObject({
            group: "argoproj.io",
            version: "v1alpha1",
            namespace: ns!,
            plural: "applications",
            name: name!,
          })
        : await custom.getNamespacedCustomObject({
            group: "kustomize.toolkit.fluxcd.io",
            version: "v1",
            namespace: ns!,
            plural: "kustomizations",
            name: name!,
          });
    objects.push(object as Obj);
  }
  return objects;
}
