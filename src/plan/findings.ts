import type { Container, KubeObject, LabelSelector } from "../k8s/manifest-types.ts";
import { isDeployment } from "../k8s/manifest-types.ts";
import type { FindingId, FindingPolicy } from "../environments/finding-policy.ts";
import type { Severity } from "./finding-rules.ts";
import { findingRule } from "./finding-rules.ts";
import { disruptionBudget } from "./disruption-budget.ts";
import { isMutableImage } from "./image-reference.ts";
import { selectorMatches } from "./label-selector.ts";
import { preStopHook, terminationGracePeriodSeconds } from "./pre-stop.ts";
import { podQos } from "./qos-class.ts";
import { rolloutShape } from "./rollout-shape.ts";
import type { PodWorkload } from "./workloads.ts";
import { autoscalerFor, disruptionBudgetsFor, podLabels, podWorkloads, servicesFor } from "./workloads.ts";

export interface Finding {
  id: FindingId;
  severity: Severity;
  environment: string;
  /** The workload's name: "wordpress". */
  workload: string;
  /** The workload's kind: "Deployment". */
  kind: PodWorkload["kind"];
  namespace: string | undefined;
  /** One line: what is wrong, naming the container or object. Never contains a secret value. */
  message: string;
  /** One line: why it matters. */
  why: string;
}

export interface FindingsOptions {
  environment: string;
  production: boolean;
  /** Severity per finding id; "off" drops the finding. Unlisted ids keep their default. */
  policy?: FindingPolicy;
  /** The environment's rendered objects before the change: enables the production-only comparisons. */
  baseObjects?: readonly KubeObject[];
}

interface Detected {
  id: FindingId;
  message: string;
}

const secretLikeEnvName = /PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL/i;
const probeKinds = ["readinessProbe", "livenessProbe", "startupProbe"] as const;
const severityRank: Record<Severity, number> = { blocking: 0, warning: 1, note: 2 };

function allContainers(workload: PodWorkload): Container[] {
  return [...workload.template.spec.containers, ...(workload.template.spec.initContainers ?? [])];
}

function hasReplicaCount(workload: PodWorkload): boolean {
  return workload.kind !== "DaemonSet";
}

/** How many pods the workload may run at most: its replicas, or the autoscaler's maximum when higher. */
function mostPods(workload: PodWorkload, objects: readonly KubeObject[]): number {
  return Math.max(workload.replicas ?? 1, autoscalerFor(workload, objects)?.spec.maxReplicas ?? 0);
}

/** The pod count a disruption budget is measured against: with an autoscaler, the fewest it may leave. */
function fewestPods(workload: PodWorkload, objects: readonly KubeObject[]): number {
  const hpa = autoscalerFor(workload, objects);
  return hpa === undefined ? (workload.replicas ?? 1) : (hpa.spec.minReplicas ?? 1);
}

function missingReadinessProbe(workload: PodWorkload): Detected[] {
  return workload.template.spec.containers
    .filter((container) => container.readinessProbe === undefined)
    .map((container) => ({ id: "no-readiness-probe", message: `container ${container.name} has no readinessProbe` }));
}

function weakQos(workload: PodWorkload): Detected[] {
  const qos = podQos(workload.template.spec);
  if (qos.qosClass === "Guaranteed") return [];
  return [
    {
      id: qos.qosClass === "BestEffort" ? "qos-best-effort" : "qos-burstable",
      message: `QoS class ${qos.qosClass}: ${qos.reasons.join("; ")}`,
    },
  ];
}

function selectsOwnPods(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  // A term without a labelSelector selects no pods, so it spreads nothing.
  return selector !== undefined && selectorMatches(selector, labels);
}

function missingSpread(workload: PodWorkload, objects: readonly KubeObject[]): Detected[] {
  if (!hasReplicaCount(workload)) return [];
  const pods = mostPods(workload, objects);
  if (pods <= 1) return [];
  const labels = podLabels(workload);
  const spec = workload.template.spec;
  const antiAffinity = spec.affinity?.podAntiAffinity;
  const terms = [
    ...(antiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(antiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((weighted) => weighted.podAffinityTerm ?? {}),
  ];
  const spread =
    terms.some((term) => selectsOwnPods(term.labelSelector, labels)) ||
    (spec.topologySpreadConstraints ?? []).some((constraint) => selectsOwnPods(constraint.labelSelector, labels));
  if (spread) return [];
  return [
    {
      id: "no-pod-anti-affinity",
      message: `up to ${pods} replicas and no pod anti-affinity for its own pods: they may all run on one node`,
    },
  ];
}

function disruptionBudgetProblems(workload: PodWorkload, objects: readonly KubeObject[]): Detected[] {
  if (!hasReplicaCount(workload) || mostPods(workload, objects) <= 1) return [];
  const budgets = disruptionBudgetsFor(workload, objects);
  if (budgets.length === 0) return [{ id: "no-pdb", message: "no PodDisruptionBudget selects its pods" }];
  const pods = fewestPods(workload, objects);
  const shape = isDeployment(workload.object) ? rolloutShape(workload.object) : undefined;
  const detected: Detected[] = [];
  for (const pdb of budgets) {
    const budget = disruptionBudget(pdb, pods);
    const name = `PodDisruptionBudget ${pdb.metadata.name} (${budget.stated})`;
    if (budget.disruptionsAllowed === 0) {
      detected.push({ id: "pdb-blocks-drain", message: `${name} allows no eviction with ${pods} pods: node drains will block` });
    }
    if (shape !== undefined && shape.error === undefined && shape.replicas > 0 && shape.minAvailable < budget.desiredHealthy) {
      const how = shape.allPodsStopFirst ? "Recreate stops every pod" : `the rollout keeps only ${shape.minAvailable} available`;
      detected.push({ id: "rollout-exceeds-pdb", message: `${name} promises ${budget.desiredHealthy} available, but ${how}` });
    }
  }
  return detected;
}

function drainProblems(workload: PodWorkload, objects: readonly KubeObject[]): Detected[] {
  const containers = workload.template.spec.containers;
  const gracePeriod = terminationGracePeriodSeconds(workload.template.spec);
  const detected: Detected[] = [];
  for (const container of containers) {
    const hook = preStopHook(container);
    if (hook.kind === "sleep" && hook.sleepSeconds >= gracePeriod) {
      detected.push({
        id: "prestop-exceeds-grace",
        message: `container ${container.name} sleeps ${hook.sleepSeconds}s in preStop, terminationGracePeriodSeconds is ${gracePeriod}s`,
      });
    }
  }
  // Recreate takes the service down anyway, and pods no Service routes to have no traffic to drain.
  const recreate = isDeployment(workload.object) && rolloutShape(workload.object).allPodsStopFirst;
  const routed = servicesFor(workload, objects);
  if (!recreate && routed.length > 0 && containers.every((container) => preStopHook(container).kind === "none")) {
    const services = routed.map((service) => service.metadata.name).join(", ");
    detected.push({
      id: "no-prestop-drain",
      message: `Service ${services} routes to its pods and no container has a preStop hook to drain`,
    });
  }
  return detected;
}

function autoscalerConflicts(workload: PodWorkload, objects: readonly KubeObject[]): Detected[] {
  const hpa = autoscalerFor(workload, objects);
  if (hpa === undefined) return [];
  const min = hpa.spec.minReplicas ?? 1;
  const max = hpa.spec.maxReplicas;
  const name = `HorizontalPodAutoscaler ${hpa.metadata.name}`;
  if (max !== undefined && min > max) {
    return [{ id: "hpa-min-exceeds-max", message: `${name} has minReplicas ${min} > maxReplicas ${max}` }];
  }
  const replicas = workload.replicas;
  if (replicas === undefined) return [];
  if (replicas < min || (max !== undefined && replicas > max)) {
    return [{ id: "replicas-outside-hpa-bounds", message: `replicas ${replicas} is outside ${name}'s bounds ${min}..${max ?? "?"}` }];
  }
  return [{ id: "replicas-set-under-hpa", message: `replicas ${replicas} is set, but ${name} (${min}..${max ?? "?"}) owns the count` }];
}

function plaintextSecrets(workload: PodWorkload): Detected[] {
  return allContainers(workload).flatMap((container) =>
    (container.env ?? [])
      .filter((variable) => secretLikeEnvName.test(variable.name) && typeof variable.value === "string" && variable.value !== "")
      .map((variable) => ({
        id: "plaintext-secret-env" as const,
        message: `container ${container.name} sets ${variable.name} to a literal value instead of a secretKeyRef`,
      })),
  );
}

function mutableImages(workload: PodWorkload): Detected[] {
  return allContainers(workload)
    .filter((container) => typeof container.image === "string" && isMutableImage(container.image))
    .map((container) => ({
      id: "mutable-image-tag",
      message: `container ${container.name} runs ${String(container.image)}, a mutable tag`,
    }));
}

function invalidStrategy(workload: PodWorkload): Detected[] {
  if (!isDeployment(workload.object)) return [];
  const error = rolloutShape(workload.object).error;
  return error === undefined ? [] : [{ id: "invalid-rollout-strategy", message: error }];
}

function sameWorkload(a: PodWorkload, b: PodWorkload): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? "") === (b.namespace ?? "");
}

function removedProbes(head: PodWorkload, base: PodWorkload): Detected[] {
  const detected: Detected[] = [];
  for (const before of base.template.spec.containers) {
    const after = head.template.spec.containers.find((container) => container.name === before.name);
    if (after === undefined) continue;
    for (const probe of probeKinds) {
      if (before[probe] !== undefined && after[probe] === undefined) {
        detected.push({ id: "probe-removed", message: `${probe} removed from container ${before.name}` });
      }
    }
  }
  return detected;
}

function replicasBelowBudget(head: PodWorkload, base: PodWorkload, headObjects: readonly KubeObject[]): Detected[] {
  if (!hasReplicaCount(head)) return [];
  const before = base.replicas ?? 1;
  const after = head.replicas ?? 1;
  // Scaling to zero is a deliberate shutdown: there is nothing left to evict.
  if (after >= before || after === 0) return [];
  return disruptionBudgetsFor(head, headObjects)
    .map((pdb) => ({ pdb, budget: disruptionBudget(pdb, after) }))
    .filter(({ budget }) => budget.disruptionsAllowed === 0)
    .map(({ pdb, budget }) => ({
      id: "replicas-below-pdb" as const,
      message: `replicas lowered from ${before} to ${after}; PodDisruptionBudget ${pdb.metadata.name} keeps ${budget.desiredHealthy} available (${budget.stated})`,
    }));
}

function detectedFor(workload: PodWorkload, objects: readonly KubeObject[]): Detected[] {
  return [
    ...invalidStrategy(workload),
    ...missingReadinessProbe(workload),
    ...weakQos(workload),
    ...missingSpread(workload, objects),
    ...disruptionBudgetProblems(workload, objects),
    ...drainProblems(workload, objects),
    ...autoscalerConflicts(workload, objects),
    ...plaintextSecrets(workload),
    ...mutableImages(workload),
  ];
}

/**
 * Production-readiness findings for one environment's rendered objects, most severe first.
 * With baseObjects and production set, also what the change itself breaks (probe removed,
 * replicas lowered below a disruption budget).
 */
export function findings(objects: readonly KubeObject[], options: FindingsOptions): Finding[] {
  const baseWorkloads = options.baseObjects === undefined ? [] : podWorkloads(options.baseObjects);
  const result: Finding[] = [];
  for (const workload of podWorkloads(objects)) {
    const detected = detectedFor(workload, objects);
    const base = baseWorkloads.find((candidate) => sameWorkload(candidate, workload));
    if (options.production && base !== undefined) {
      detected.push(...removedProbes(workload, base), ...replicasBelowBudget(workload, base, objects));
    }
    for (const { id, message } of detected) {
      const rule = findingRule(id);
      const severity = options.policy?.[id] ?? rule.defaultSeverity;
      if (severity === "off") continue;
      result.push({
        id,
        severity,
        environment: options.environment,
        workload: workload.name,
        kind: workload.kind,
        namespace: workload.namespace,
        message,
        why: rule.why,
      });
    }
  }
  return result.sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
}
