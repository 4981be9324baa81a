import type { ClassifyInput, Deployment, Evidence, KubeEvent, Pod, Verdict } from "./types.ts";
import type { SyncState } from "./sync-state.ts";
import { byPriority, classifyPod, nowMillis, type PodHealth } from "./pod-health.ts";
import { deploymentProgress } from "./deployment-status.ts";
import { replicaSetProgress } from "./replica-set-status.ts";
import { newReplicaSetPods } from "./new-replica-set.ts";
import { syncState } from "./sync-status.ts";
import { fullSha } from "./revision.ts";
import { DEFAULT_SLACK_SECONDS } from "./probe-window.ts";
import { isReadinessFailure, latestContainerEvent } from "./pod-events.ts";
import { oneLine, summarize } from "./summary.ts";

type Judged = { pod: Pod; health: PodHealth };

function progressing(reason: string, detail: string, nextCheckAt?: number): Verdict {
  return nextCheckAt === undefined
    ? { status: "Progressing", reason, detail }
    : { status: "Progressing", reason, detail, nextCheckAt: new Date(nextCheckAt) };
}

function syncFailed(sync: Extract<SyncState, { state: "Failed" }>): Verdict {
  return { status: "Failed", reason: "SyncFailed", summary: oneLine(sync.summary), evidence: sync.evidence };
}

function podFailure(failed: Judged[], total: number): Verdict {
  const found = failed.flatMap(({ health }) => (health.status === "Failed" ? [health] : []));
  found.sort(byPriority);
  const reason = found[0]!.reason;
  const evidence = found.flatMap((h) => h.evidence);
  const scope = ` in ${failed.length} of ${total} new pod${total === 1 ? "" : "s"}`;
  return { status: "Failed", reason, summary: summarize(reason, evidence, scope), evidence };
}

// For a progress-deadline failure: what each not-ready new pod was doing.
function notReadyEvidence(judged: Judged[], events: readonly KubeEvent[]): Evidence[] {
  return judged.flatMap(({ pod, health }) => {
    if (health.status !== "NotReady") return [];
    const name = pod.metadata?.name ?? "";
    const statuses = pod.status?.containerStatuses ?? [];
    const notReady = statuses.filter((s) => !s.ready);
    if (notReady.length === 0) return [{ object: `Pod/${name}`, pod: name, reason: "NotReady", message: health.detail }];
    return notReady.map((s) => {
      const probe = latestContainerEvent(events, pod, s.name, isReadinessFailure);
      const waiting = s.state?.waiting;
      return {
        object: `Pod/${name}`,
        pod: name,
        container: s.name,
        reason: probe?.reason ?? waiting?.reason ?? "ContainersNotReady",
        message: probe?.message ?? waiting?.message ?? health.detail,
      };
    });
  });
}

function describePods(judged: Judged[], rsName: string | undefined): string {
  if (judged.length === 0) return rsName ? `new ReplicaSet ${rsName}: no pods yet` : "no new pods yet";
  const ready = judged.filter((j) => j.health.status === "Ready").length;
  const waiting = judged
    .flatMap(({ pod, health }) => (health.status === "NotReady" ? [`${pod.metadata?.name ?? ""} ${health.detail}`] : []))
    .slice(0, 3);
  const head = `${rsName ? `new ReplicaSet ${rsName}: ` : ""}${ready}/${judged.length} new pods ready`;
  return waiting.length > 0 ? `${head}; ${waiting.join("; ")}` : head;
}

function classifyDeployment(d: Deployment | null, input: ClassifyInput, now: number, slackSeconds: number): Verdict {
  if (!d) return progressing("DeploymentNotFound", "the Deployment has not been observed yet");
  const name = d.metadata?.name ?? "";
  if (d.metadata?.deletionTimestamp) return progressing("Terminating", `Deployment ${name} is being deleted`);
  // Stricter than kstatus: a missing observedGeneration means the controller has not acted yet.
  const generation = d.metadata?.generation;
  const observed = d.status?.observedGeneration;
  if (generation !== undefined && (observed === undefined || observed < generation)) {
    return progressing(
      "LatestGenerationNotObserved",
      `Deployment ${name} generation ${generation} not yet observed by its controller (observed ${observed ?? "none"})`,
    );
  }

  const events = input.events ?? [];
  const { replicaSet, pods } = newReplicaSetPods(d, input.replicaSets ?? [], input.pods ?? []);
  const judged = pods.map((pod) => ({ pod, health: classifyPod(pod, { events, now, slackSeconds }) }));
  const failed = judged.filter((j) => j.health.status === "Failed");
  if (failed.length > 0) return podFailure(failed, judged.length);

  const rsName = replicaSet?.metadata?.name;
  const podsText = describePods(judged, rsName);
  const nextChecks = judged.flatMap(({ health }) =>
    health.status === "NotReady" && health.nextCheckAt ? [health.nextCheckAt.getTime()] : [],
  );
  const nextCheckAt = nextChecks.length > 0 ? Math.min(...nextChecks) : undefined;

  // gitops-engine reports a paused Deployment as Suspended; it will not finish rolling out.
  if (d.spec?.paused) return progressing("Paused", `Deployment ${name} is paused; ${podsText}`, nextCheckAt);

  const progress = deploymentProgress(d);
  if (progress.status === "Failed") {
    const evidence = [
      { object: `Deployment/${name}`, reason: progress.reason, message: progress.message },
      ...notReadyEvidence(judged, events),
    ];
    return { status: "Failed", reason: "ProgressDeadlineExceeded", summary: summarize("ProgressDeadlineExceeded", evidence), evidence };
  }
  if (progress.status === "Current") return { status: "Healthy", detail: `Deployment ${name}: ${progress.message}` };
  const rs = replicaSet ? replicaSetProgress(replicaSet) : undefined;
  const quota = rs?.reason === "ReplicaFailure" ? `; ReplicaFailure: ${rs.message}` : "";
  return progressing(progress.reason, `Deployment ${name}: ${progress.message}; ${podsText}${quota}`, nextCheckAt);
}

/**
 * The rollout verdict for one Deployment after a merge. Waits for the GitOps controller to
 * apply the merge SHA, then fails on first certain evidence from the new ReplicaSet's pods
 * (or the progress deadline), and is Healthy when kstatus would call the Deployment Current.
 * Pure: `now` is passed in; Progressing.nextCheckAt says when a time-based rule could fire.
 */
export function classifyRollout(input: ClassifyInput): Verdict {
  const now = nowMillis(input.now);
  const slackSeconds = input.slackSeconds ?? DEFAULT_SLACK_SECONDS;
  const sha = fullSha(input.mergeSha);

  let lateSyncFailure: Extract<SyncState, { state: "Failed" }> | undefined;
  if (input.sync) {
    const sync = syncState(input.sync, sha, input.mergedAt === undefined ? {} : { mergedAt: input.mergedAt });
    if (sync.state === "Waiting") return { status: "WaitingForSync", detail: sync.detail };
    if (sync.state === "Failed" && !sync.applied) return syncFailed(sync);
    if (sync.state === "Failed") lateSyncFailure = sync;
  }

  const verdict = classifyDeployment(input.deployment, input, now, slackSeconds);
  // Manifests applied but a hook or Flux health check failed: pod evidence, when there is some, says more.
  if (lateSyncFailure && verdict.status !== "Failed") return syncFailed(lateSyncFailure);
  return verdict;
}
