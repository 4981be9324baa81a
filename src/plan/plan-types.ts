import type { LiftedEdit } from "../overlays/lift-edits.ts";
import type { FileProblem } from "../environments/problems.ts";
import type { Sync } from "../environments/schema.ts";
import type { Finding } from "./findings.ts";
import type { RolloutShape } from "./rollout-shape.ts";
import type { RolloutTiming } from "./probe-timing.ts";
import type { WorkloadChange } from "./workload-changes.ts";

export type EnvironmentStatus = "changed" | "added" | "removed" | "invalid" | "render-failed";

/** How one Deployment's pods will be replaced. */
export interface WorkloadRollout {
  workload: string;
  shape: RolloutShape;
  timing: RolloutTiming;
}

export interface EnvironmentPlan {
  /** The environment's key: `prod`, or `shop/prod` when the repository's layout has several apps. */
  name: string;
  file: string;
  /** Its overlay directory (src/layout). */
  overlay?: string;
  status: EnvironmentStatus;
  production: boolean;
  sync?: Sync;
  /** Problems of the environment file at head (status invalid). */
  problems: FileProblem[];
  /** kustomize's message when the head does not build (status render-failed). */
  renderError?: string;
  /** The committed overlay at head is not what the environment file generates (kustodian will regenerate it). */
  staleOverlay: boolean;
  /** Edits made in the generated overlay (by a person, Renovate, an image updater) that kustodian lifts into the environment file. */
  lifted?: LiftedEdit[];
  changes: WorkloadChange[];
  /** Deployments whose pods roll (pod template changed), in name order. */
  rollouts: WorkloadRollout[];
  /** Findings on the workloads the change alters or adds (all of them with `kustodian plan --all`). */
  findings: Finding[];
  /** Findings on workloads the change leaves as they are: counted, not reported, and they do not block (absent with --all). */
  findingsOnUnchangedWorkloads?: Finding[];
  /** Unified diff of the rendered manifests, Secret values masked. */
  diff: string;
}

export interface Plan {
  base: string;
  head: string;
  environments: EnvironmentPlan[];
  /** Environments the change leaves as they are (inputs untouched, so not rendered, or the same manifests), in name order. */
  unchanged?: string[];
  /** True when any environment is invalid, does not render, or has a blocking finding. */
  blocking: boolean;
}
