import type {
  DaemonSet,
  Deployment,
  HorizontalPodAutoscaler,
  KubeObject,
  PodDisruptionBudget,
  PodTemplateSpec,
  Service,
  StatefulSet,
} from "../k8s/manifest-types.ts";
import {
  isDaemonSet,
  isDeployment,
  isHorizontalPodAutoscaler,
  isPodDisruptionBudget,
  isService,
  isStatefulSet,
} from "../k8s/manifest-types.ts";
import { selectorMatches, serviceSelectorMatches } from "./label-selector.ts";

/** An object that runs pods from a template: what the findings and change detection look at. */
export interface PodWorkload {
  kind: "Deployment" | "StatefulSet" | "DaemonSet";
  name: string;
  namespace: string | undefined;
  /** spec.replicas as written; undefined when unset, and always for DaemonSets. */
  replicas: number | undefined;
  template: PodTemplateSpec;
  object: Deployment | StatefulSet | DaemonSet;
}

export function podWorkloads(objects: readonly KubeObject[]): PodWorkload[] {
  const workloads: PodWorkload[] = [];
  for (const object of objects) {
    if (!isDeployment(object) && !isStatefulSet(object) && !isDaemonSet(object)) continue;
    workloads.push({
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      replicas: object.kind === "DaemonSet" ? undefined : object.spec.replicas,
      template: object.spec.template,
      object,
    });
  }
  return workloads;
}

function sameNamespace(object: KubeObject, workload: PodWorkload): boolean {
  return (object.metadata.namespace ?? "") === (workload.namespace ?? "");
}

export function podLabels(workload: PodWorkload): Record<string, string> {
  return workload.template.metadata?.labels ?? {};
}

/** The HorizontalPodAutoscaler whose scaleTargetRef names the workload, if any. */
export function autoscalerFor(workload: PodWorkload, objects: readonly KubeObject[]): HorizontalPodAutoscaler | undefined {
  return objects
    .filter(isHorizontalPodAutoscaler)
    .find(
      (hpa) =>
        sameNamespace(hpa, workload) && hpa.spec.scaleTargetRef.kind === workload.kind && hpa.spec.scaleTargetRef.name === workload.name,
    );
}

/** PodDisruptionBudgets whose selector selects the workload's pods (a missing selector selects none). */
export function disruptionBudgetsFor(workload: PodWorkload, objects: readonly KubeObject[]): PodDisruptionBudget[] {
  const labels = podLabels(workload);
  return objects
    .filter(isPodDisruptionBudget)
    .filter((pdb) => sameNamespace(pdb, workload) && pdb.spec.selector !== undefined && selectorMatches(pdb.spec.selector, labels));
}

/** Services that route traffic to the workload's pods. */
export function servicesFor(workload: PodWorkload, objects: readonly KubeObject[]): Service[] {
  const labels = podLabels(workload);
  return objects
    .filter(isService)
    .filter((service) => sameNamespace(service, workload) && serviceSelectorMatches(service.spec?.selector, labels));
}
