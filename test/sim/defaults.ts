// Defaulting as the API server does it on create and update, for the fields the controllers
// and a rollout watcher read (strategy, probes, grace periods, ...). Objects of other kinds are
// stored as given.
import { isRecord } from "./json.ts";
import type { Container, Deployment, KubeObject, PodSpec, PodTemplateSpec, Probe } from "./types.ts";

function defaultProbe(probe: Probe | undefined): void {
  if (!probe) return;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  if (probe.httpGet) {
    probe.httpGet.path ??= "/";
    probe.httpGet.scheme ??= "HTTP";
  }
}

function imageTag(image: string): string | undefined {
  const lastSlash = image.lastIndexOf("/");
  const name = image.slice(lastSlash + 1);
  if (name.includes("@")) return undefined;
  const colon = name.lastIndexOf(":");
  return colon < 0 ? "latest" : name.slice(colon + 1);
}

function defaultContainer(container: Container): void {
  const tag = imageTag(container.image ?? "");
  container.imagePullPolicy ??= tag === "latest" ? "Always" : "IfNotPresent";
  container.terminationMessagePath ??= "/dev/termination-log";
  container.terminationMessagePolicy ??= "File";
  container.resources ??= {};
  for (const port of container.ports ?? []) port.protocol ??= "TCP";
  defaultProbe(container.readinessProbe);
  defaultProbe(container.livenessProbe);
  defaultProbe(container.startupProbe);
}

export function defaultPodSpec(spec: PodSpec): void {
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec["dnsPolicy"] ??= "ClusterFirst";
  spec["schedulerName"] ??= "default-scheduler";
  spec["securityContext"] ??= {};
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
}

function defaultTemplate(template: PodTemplateSpec | undefined): void {
  if (!template || !isRecord(template.spec)) return;
  defaultPodSpec(template.spec);
}

function defaultDeployment(d: Deployment): void {
  const spec = d.spec;
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.strategy ??= {};
  spec.strategy.type ??= "RollingUpdate";
  if (spec.strategy.type === "RollingUpdate") {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxSurge ??= "25%";
    spec.strategy.rollingUpdate.maxUnavailable ??= "25%";
  }
  defaultTemplate(spec.template);
}

/** Fills defaults in place. */
export function applyDefaults(object: KubeObject): void {
  if (!isRecord(object.spec)) return;
  if (object.apiVersion === "apps/v1" && object.kind === "Deployment") defaultDeployment(object as Deployment);
  else if (object.apiVersion === "apps/v1" && object.kind === "ReplicaSet") {
    const spec = object.spec as { replicas?: number; template?: PodTemplateSpec };
    spec.replicas ??= 1;
    defaultTemplate(spec.template);
  } else if (object.apiVersion === "v1" && object.kind === "Pod") defaultPodSpec(object.spec as unknown as PodSpec);
}
