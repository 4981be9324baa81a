// Minimal structural types for live Kubernetes objects, the parts the health classifier reads.
// They accept both JSON/YAML objects (timestamps as strings) and @kubernetes/client-node
// informer objects (timestamps as Date), without depending on client-node's classes. Probe is the manifests' (manifest-types.ts).
import type { Probe } from "./manifest-types.ts";

export type { Probe };

/** RFC 3339 string from JSON/YAML, or Date from client-node. */
export type Timestamp = string | Date;

export interface OwnerReference {
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
  ownerReferences?: OwnerReference[] | null;
  creationTimestamp?: Timestamp | null;
  deletionTimestamp?: Timestamp | null;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: Timestamp | null;
  lastUpdateTime?: Timestamp | null;
}

export interface Container {
  name: string;
  image?: string;
  readinessProbe?: Probe | null;
  startupProbe?: Probe | null;
  resources?: {
    limits?: Record<string, string | number> | null;
    requests?: Record<string, string | number> | null;
  } | null;
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string } | null;
  running?: { startedAt?: Timestamp | null } | null;
  terminated?: {
    exitCode?: number;
    reason?: string;
    message?: string;
    startedAt?: Timestamp | null;
    finishedAt?: Timestamp | null;
  } | null;
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  /** Passed its startup probe (true when there is none and the container runs). */
  started?: boolean;
  restartCount?: number;
  state?: ContainerState | null;
  lastState?: ContainerState | null;
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[] | null;
  restartPolicy?: string;
}

export interface PodTemplate {
  metadata?: ObjectMeta | null;
  spec?: PodSpec | null;
}

export interface Pod {
  metadata?: ObjectMeta;
  spec?: PodSpec;
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: Condition[] | null;
    containerStatuses?: ContainerStatus[] | null;
    initContainerStatuses?: ContainerStatus[] | null;
    startTime?: Timestamp | null;
  } | null;
}

export interface Deployment {
  metadata?: ObjectMeta;
  spec?: {
    replicas?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
    template?: PodTemplate;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: Condition[] | null;
  } | null;
}

export interface ReplicaSet {
  metadata?: ObjectMeta;
  spec?: { replicas?: number; template?: PodTemplate };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    fullyLabeledReplicas?: number;
    conditions?: Condition[] | null;
  } | null;
}

export interface ObjectReference {
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
  fieldPath?: string;
}

/** core/v1 Event (events.k8s.io/v1 `regarding`/`note` are read too). */
export interface KubeEvent {
  metadata?: ObjectMeta;
  involvedObject?: ObjectReference;
  regarding?: ObjectReference | null;
  reason?: string;
  message?: string;
  note?: string;
  type?: string;
  count?: number;
  firstTimestamp?: Timestamp | null;
  lastTimestamp?: Timestamp | null;
  eventTime?: Timestamp | null;
  series?: { lastObservedTime?: Timestamp | null; count?: number } | null;
}

/** argoproj.io/v1alpha1 Application. */
export interface ArgoApplication {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  status?: {
    sync?: { status?: string; revision?: string; revisions?: string[] | null } | null;
    operationState?: {
      phase?: string;
      message?: string;
      operation?: { sync?: { revision?: string; revisions?: string[] | null } | null } | null;
      syncResult?: {
        revision?: string;
        revisions?: string[] | null;
        resources?: Array<{
          kind?: string;
          name?: string;
          namespace?: string;
          status?: string;
          message?: string;
        }> | null;
      } | null;
    } | null;
    conditions?: Array<{ type: string; message?: string; lastTransitionTime?: Timestamp | null }> | null;
  } | null;
}

/** kustomize.toolkit.fluxcd.io/v1 Kustomization. */
export interface FluxKustomization {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: { suspend?: boolean };
  status?: {
    observedGeneration?: number;
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    /**
     * The git revision (`main@sha1:<sha>`) of the last applied artifact when the source is not a
     * GitRepository (an OCIRepository or ExternalArtifact built from git): lastAppliedRevision is
     * then the artifact's digest (`latest@sha256:...`), which names no commit.
     */
    lastAppliedOriginRevision?: string;
    conditions?: Condition[] | null;
  } | null;
}

export type SyncObject = ArgoApplication | FluxKustomization;
