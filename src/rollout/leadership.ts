// Which replica watches, and how the others hand it their merges (issue 13): the Lease
// (src/cluster/lease.ts) picks the leader; the leader resumes every repository at once and polls
// (leader-poll.ts, the fallback), and takes the merges other replicas hand off through records in
// the cluster (hand-off.ts, src/cluster/hand-off-records.ts) the moment they are written. Every
// replica hands off the merges it understands while it does not lead. service.ts wires this on
// the default kubeconfig; the end-to-end tests on the simulator.
import type { KubeConfig } from "@kubernetes/client-node";
import type { Clock } from "../clock/clock.ts";
import type { Delay } from "../cluster/backoff.ts";
import { singleClusterConnections } from "../cluster/connections.ts";
import { createHandOffRecords } from "../cluster/hand-off-records.ts";
import { createLeaderElector } from "../cluster/lease.ts";
import { createSharedInformers, type SharedInformers } from "../cluster/shared-informers.ts";
import { errorFields, type Log } from "../log/log.ts";
import { handOffOfRecord, handOffRecordOf, type HandOff } from "./hand-off.ts";
import type { HandedOffMerge, RolloutOrchestrator } from "./orchestrator.ts";
import type { RepoClient } from "./repo-client.ts";

export interface LeadershipOptions {
  /** The cluster kustodian runs in (its current context): the Lease and the hand-off records. */
  kubeConfig: KubeConfig;
  /** kustodian's own namespace. */
  namespace: string;
  /** Default `kustodian-watcher`. */
  leaseName?: string;
  /** This replica, unique per process (src/cluster/leader-identity.ts). */
  identity: string;
  clock: Clock;
  log: Log;
  /** Lease timings (src/config/runtime-settings.ts); client-go's defaults otherwise. */
  lease?: { durationSeconds: number; renewDeadlineSeconds: number; retrySeconds: number };
  /** The leader's poll (the fallback when a hand-off is lost). Default 60 s. */
  pollMs?: number;
  /** Sleeps between restarts of the hand-off informer (real time). */
  delay?: Delay;
  /** Every repository of the app's installations: what a new leader resumes. */
  repos(): Promise<RepoClient[]>;
  /** A handed-off merge's repository with an installation client. */
  repoOf(handOff: HandOff): Promise<RepoClient>;
}

export interface Leadership {
  isLeader(): boolean;
  /** As a replica without the Lease: leave the merge for the leader (the orchestrator's `handOff`). */
  handOff(gh: RepoClient, merge: HandedOffMerge): Promise<void>;
  /** Competes for the Lease; while leading, `orchestrator` resumes, polls and takes hand-offs. */
  start(orchestrator: RolloutOrchestrator): void;
  /** Stops competing; a leader releases the Lease unless `release: false` (a crash). */
  stop(options?: { release?: boolean }): Promise<void>;
  /** Whether a Lease request or a hand-off being taken is in flight (tests step simulated time when not). */
  busy(): boolean;
  /** The hand-off informer (tests follow it). */
  readonly informers: SharedInformers;
}

export function createLeadership(options: LeadershipOptions): Leadership {
  const { kubeConfig, namespace, log } = options;
  const context = kubeConfig.getCurrentContext();
  const informers = createSharedInformers({
    connections: singleClusterConnections(kubeConfig),
    log,
    ...(options.delay ? { delay: options.delay } : {}),
  });
  const records = createHandOffRecords({ kubeConfig, namespace, informers, context, log });
  let taking: { stop(): void } | undefined;
  let adopting = 0;
  let orchestrator: RolloutOrchestrator | undefined;

  function take(name: string, data: Record<string, string>): void {
    const handOff = handOffOfRecord(data);
    if (!handOff) throw new Error(`${name} is not a valid hand-off record`);
    adopting++;
    void options
      .repoOf(handOff)
      .then((gh) => {
        log.info({ merge: handOff.mergeSha, environments: handOff.rollouts.map((r) => r.environment) }, "watching a merge handed off");
        orchestrator?.adopt(gh, { mergeSha: handOff.mergeSha, rollouts: handOff.rollouts });
      })
      .catch((error: unknown) =>
        log.warn({ err: errorFields(error), merge: handOff.mergeSha }, "could not take a hand-off; the poll finds it"),
      )
      .finally(() => adopting--);
  }

  const elector = createLeaderElector({
    kubeConfig,
    namespace,
    name: options.leaseName ?? "kustodian-watcher",
    identity: options.identity,
    clock: options.clock,
    log,
    ...(options.lease
      ? {
          leaseDurationSeconds: options.lease.durationSeconds,
          renewDeadlineSeconds: options.lease.renewDeadlineSeconds,
          renewSeconds: options.lease.retrySeconds,
        }
      : {}),
    onStartedLeading: () => {
      orchestrator?.startLeading(() => options.repos(), options.pollMs !== undefined ? { pollMs: options.pollMs } : {});
      taking ??= records.watch(take);
    },
    onStoppedLeading: () => {
      taking?.stop();
      taking = undefined;
      void orchestrator?.stop();
    },
  });

  return {
    isLeader: () => elector.isLeader(),
    async handOff(gh, merge) {
      const record = handOffRecordOf(gh, merge);
      if (!record) return;
      await records.write(record.name, record.data);
      log.info({ merge: merge.mergeSha }, "merge handed off to the leader");
    },
    start(o) {
      orchestrator = o;
      elector.start();
    },
    async stop(stopOptions = {}) {
      await elector.stop(stopOptions);
      await informers.close();
    },
    busy: () => elector.busy() || adopting > 0,
    informers,
  };
}
