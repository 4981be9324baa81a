// The health classifier's input and verdict. The Kubernetes objects it reads are src/k8s/live-types.ts.
import type { Deployment, KubeEvent, Pod, ReplicaSet, SyncObject } from "../k8s/live-types.ts";

export type * from "../k8s/live-types.ts";

/** An instant passed in by the caller: a Date or epoch milliseconds. */
export type Instant = Date | number;

export interface ClassifyInput {
  /** null when the informer has not seen the Deployment (yet). */
  deployment: Deployment | null;
  /** The Deployment's ReplicaSets; empty when `pods` are already the new ReplicaSet's. */
  replicaSets?: readonly ReplicaSet[];
  /** The new ReplicaSet's pods, or all the Deployment's pods when `replicaSets` is given. */
  pods?: readonly Pod[];
  events?: readonly KubeEvent[];
  /** Argo CD Application or Flux Kustomization; null when the environment is not GitOps-synced. */
  sync: SyncObject | null;
  /** Full 40- (or 64-) hex commit SHA of the merge. */
  mergeSha: string;
  now: Instant;
  /** Added to the readiness window before a timeout is declared. Default 2. */
  slackSeconds?: number;
  /** When set, Argo CD error conditions older than this are ignored as not caused by the merge. */
  mergedAt?: Instant;
}

export type FailureReason =
  "SyncFailed" | "ImagePullFailed" | "CrashLoop" | "ContainerConfigError" | "ReadinessTimeout" | "ProgressDeadlineExceeded" | "OOMKilled";

export type PodFailureReason = Exclude<FailureReason, "SyncFailed" | "ProgressDeadlineExceeded">;

export interface Evidence {
  /** `Pod/<name>`, `Deployment/<name>`, `Application/<name>`, `Kustomization/<name>`, `<Kind>/<name>`. */
  object: string;
  /** Set for evidence about a pod's container. */
  pod?: string;
  container?: string;
  /** The Kubernetes/Argo/Flux reason quoted as is (CrashLoopBackOff, Unhealthy, BuildFailed...). */
  reason: string;
  message: string;
}

export type Verdict =
  | { status: "WaitingForSync"; detail: string }
  | { status: "Progressing"; reason: string; detail: string; nextCheckAt?: Date }
  | { status: "Healthy"; detail: string }
  | { status: "Failed"; reason: FailureReason; summary: string; evidence: Evidence[] };
