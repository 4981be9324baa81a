import type { FindingId } from "../environments/finding-policy.ts";

export type Severity = "blocking" | "warning" | "note";

export interface FindingRule {
  id: FindingId;
  defaultSeverity: Severity;
  /** One line for docs: what the finding says. */
  summary: string;
  /** One line from the seeds: why it matters. Copied into every finding. */
  why: string;
  /** Only reported for environments marked production, and only when comparing base and head. */
  productionOnly: boolean;
}

/** Every production-readiness finding the planner reports (one per id of findingIds), with its default severity. */
export const findingRules = [
  {
    id: "no-readiness-probe",
    defaultSeverity: "blocking",
    summary: "A container has no readinessProbe.",
    why: "Without a readiness probe a pod gets traffic as soon as it starts, and a rollout counts a broken pod as available.",
    productionOnly: false,
  },
  {
    id: "qos-best-effort",
    defaultSeverity: "warning",
    summary: "The pod's QoS class is BestEffort: no container sets cpu or memory requests or limits.",
    why: "When a node runs out of memory, BestEffort pods are killed first; requests == limits makes them Guaranteed.",
    productionOnly: false,
  },
  {
    id: "qos-burstable",
    defaultSeverity: "warning",
    summary: "The pod's QoS class is Burstable: some container does not set requests == limits for cpu and memory.",
    why: "When a node runs out of memory, Burstable pods are killed before Guaranteed ones; requests == limits makes them Guaranteed.",
    productionOnly: false,
  },
  {
    id: "no-pod-anti-affinity",
    defaultSeverity: "warning",
    summary: "More than one replica, and nothing spreads them over nodes (pod anti-affinity or a topology spread constraint).",
    why: "Replicas on the same node all go down with that node; pod anti-affinity spreads them so one node is not a single point of failure.",
    productionOnly: false,
  },
  {
    id: "no-pdb",
    defaultSeverity: "warning",
    summary: "More than one replica, and no PodDisruptionBudget selects the pods.",
    why: "A node drain deletes pods before they are recreated elsewhere; without a PodDisruptionBudget every replica can be evicted at once.",
    productionOnly: false,
  },
  {
    id: "pdb-blocks-drain",
    defaultSeverity: "warning",
    summary: "A PodDisruptionBudget allows no disruption at all (minAvailable >= replicas, or maxUnavailable 0).",
    why: "A budget that allows no eviction blocks every node drain, so node maintenance cannot proceed.",
    productionOnly: false,
  },
  {
    id: "rollout-exceeds-pdb",
    defaultSeverity: "warning",
    summary: "The rollout takes more pods down at once than the PodDisruptionBudget allows.",
    why: "Rollouts do not go through evictions, so the PodDisruptionBudget does not hold them back: the service drops below what the budget promises.",
    productionOnly: false,
  },
  {
    id: "no-prestop-drain",
    defaultSeverity: "warning",
    summary: "A Service routes traffic to the pods, the update is rolling, and no container has a preStop hook to drain.",
    why: "Endpoints and kube-proxy rules are updated after SIGTERM is sent, so requests still routed to a stopping pod fail (the seed's 502s) unless a preStop sleep waits for them.",
    productionOnly: false,
  },
  {
    id: "prestop-exceeds-grace",
    defaultSeverity: "blocking",
    summary: "A preStop sleep is as long as terminationGracePeriodSeconds (default 30) or longer.",
    why: "The grace period includes the preStop hook: the container is killed before it can shut down gracefully.",
    productionOnly: false,
  },
  {
    id: "hpa-min-exceeds-max",
    defaultSeverity: "blocking",
    summary: "The HorizontalPodAutoscaler's minReplicas is greater than its maxReplicas.",
    why: "The API server rejects such an autoscaler, so the sync fails.",
    productionOnly: false,
  },
  {
    id: "replicas-outside-hpa-bounds",
    defaultSeverity: "warning",
    summary: "replicas lies outside the HorizontalPodAutoscaler's [minReplicas, maxReplicas].",
    why: "The autoscaler moves the count back into its bounds right after the sync, so the replicas in git are not what runs.",
    productionOnly: false,
  },
  {
    id: "replicas-set-under-hpa",
    defaultSeverity: "note",
    summary: "replicas is set although a HorizontalPodAutoscaler owns the count.",
    why: "Each sync resets the count to the value in git and the autoscaler then scales again; leaving replicas out lets the autoscaler own it.",
    productionOnly: false,
  },
  {
    id: "plaintext-secret-env",
    defaultSeverity: "warning",
    summary: "An env var named like a secret (PASSWORD, SECRET, TOKEN, KEY, CREDENTIAL) has a literal value.",
    why: "A literal value is readable in git and in the pod spec; keep it in a Secret and read it with secretKeyRef.",
    productionOnly: false,
  },
  {
    id: "mutable-image-tag",
    defaultSeverity: "warning",
    summary: "An image uses the tag latest, or no tag and no digest.",
    why: "A mutable tag can name a different image on the next pull, so what runs is not what was reviewed and a revert does not bring the old image back.",
    productionOnly: false,
  },
  {
    id: "invalid-rollout-strategy",
    defaultSeverity: "blocking",
    summary: "The Deployment's strategy is invalid (for example maxSurge and maxUnavailable both 0).",
    why: "The API server rejects the Deployment, so the sync fails and nothing rolls out.",
    productionOnly: false,
  },
  {
    id: "probe-removed",
    defaultSeverity: "blocking",
    summary: "In production, a change removes a readiness, liveness or startup probe.",
    why: "Without the probe, broken pods receive traffic (readiness) or hang without a restart (liveness), and kustodian cannot tell a failed rollout in time.",
    productionOnly: true,
  },
  {
    id: "replicas-below-pdb",
    defaultSeverity: "blocking",
    summary: "In production, a change lowers replicas to or below what a PodDisruptionBudget keeps available.",
    why: "With no pod to spare, the budget allows no eviction: node drains block, and a single failing pod breaks the promise.",
    productionOnly: true,
  },
  {
    id: "held-image",
    defaultSeverity: "blocking",
    summary: "The environment file sets an image that kustodian reverted in this environment and holds (its `held` list).",
    why: "This image already failed to become Ready here and was reverted; bringing it back repeats the outage unless the build was fixed (then `/allow` it).",
    productionOnly: false,
  },
] as const satisfies readonly FindingRule[];

export function findingRule(id: FindingId): FindingRule {
  const rule = findingRules.find((candidate) => candidate.id === id);
  if (rule === undefined) throw new Error(`unknown finding id ${id}`);
  return rule;
}
