// Production wiring of the rollout side: the cluster watcher (kubeconfig contexts), the leadership
// (leadership.ts: the Lease that decides which replica watches, the hand-off of merges other
// replicas received) and the orchestrator, which on becoming leader resumes every installation's
// repositories and polls for Deployments other replicas recorded.
import { heldImageRevertEdits } from "./held-image-edits.ts";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Probot } from "probot";
import { kubeConfigConnections } from "../cluster/connections.ts";
import type { RuntimeSettings } from "../config/runtime-settings.ts";
import { leaderIdentity } from "../cluster/leader-identity.ts";
import type { GitHubClient } from "../github/client.ts";
import { createRolloutWatcher } from "../watch/rollout-watcher.ts";
import { systemClock } from "../clock/system-clock.ts";
import { clusterReachable, type Reachability } from "../cluster/reachable.ts";
import { createRolloutOrchestrator, type RolloutOrchestrator, type RolloutOrchestratorOptions } from "./orchestrator.ts";
import type { Log } from "../log/log.ts";
import type { RepoClient } from "./repo-client.ts";
import type { HandOff } from "./hand-off.ts";
import { createLeadership, type Leadership } from "./leadership.ts";

/**
 * Every repository of every installation of the app, each with an installation Octokit: the
 * repositories a restarted (or newly elected) leader resumes. Calls: ⌈installations / 100⌉ +
 * per installation ⌈repositories / 100⌉ (tokens are made by Probot's auth).
 */
export async function installationRepos(app: Pick<Probot, "auth">): Promise<RepoClient[]> {
  const appOctokit = await app.auth();
  const installations = (await appOctokit.paginate("GET /app/installations", { per_page: 100 })) as { id: number }[];
  const out: RepoClient[] = [];
  for (const installation of installations) {
    const octokit = await app.auth(installation.id);
    const repositories = (await octokit.paginate("GET /installation/repositories", { per_page: 100 })) as unknown as {
      name: string;
      owner: { login: string };
      default_branch?: string;
      archived?: boolean;
      html_url?: string;
    }[];
    for (const r of repositories) {
      if (r.archived) continue;
      out.push({
        octokit: octokit as unknown as GitHubClient,
        repo: { owner: r.owner.login, repo: r.name },
        defaultBranch: r.default_branch ?? "main",
        ...(r.html_url ? { htmlUrl: r.html_url } : {}),
      });
    }
  }
  return out;
}

/** A handed-off merge's repository, with its installation's Octokit (1 call when the token is not cached). */
export async function handOffRepo(app: Pick<Probot, "auth">, handOff: HandOff): Promise<RepoClient> {
  const octokit = await app.auth(handOff.installationId);
  return {
    octokit: octokit as unknown as GitHubClient,
    repo: handOff.repository,
    defaultBranch: handOff.defaultBranch,
    installationId: handOff.installationId,
    ...(handOff.htmlUrl ? { htmlUrl: handOff.htmlUrl } : {}),
  };
}

export interface RolloutServiceOptions {
  log: Log;
  /** The clusters (src/cluster/load-kubeconfig.ts): the watch, the Lease and /readyz use it. */
  kubeConfig: KubeConfig;
  /** From the environment (src/config/runtime-settings.ts); the defaults otherwise. */
  settings?: RuntimeSettings;
  /** Lease namespace; default $POD_NAMESPACE, else `kustodian`. */
  leaseNamespace?: string;
  /** Lease name; default `kustodian-watcher`. */
  leaseName?: string;
  /** This replica; default $HOSTNAME (the pod name) plus a random suffix, unique per process. */
  identity?: string;
  orchestrator?: Partial<Omit<RolloutOrchestratorOptions, "watcher" | "isLeader" | "log">>;
}

export interface RolloutService {
  orchestrator: RolloutOrchestrator;
  /** Starts competing for the Lease; the leader resumes the repositories of `app`'s installations. */
  start(app: Pick<Probot, "auth">): void;
  /** Stops watching and releases the Lease; what is still in flight after `graceMs` (default 8 s) is left to the next leader. */
  stop(graceMs?: number): Promise<void>;
  /** Whether this replica holds the Lease now. */
  leading(): boolean;
  /** Rollouts being watched now. */
  watching(): number;
  /** Whether the cluster of the default kubeconfig answers (for /readyz). */
  reachable(): Promise<Reachability>;
}

/** The watcher on the default kubeconfig (or in-cluster config), behind a Lease. */
export function createRolloutService(options: RolloutServiceOptions): RolloutService {
  const { kubeConfig, settings } = options;
  const inCluster = kubeConfig.getCurrentContext() === "inClusterContext";
  // KUSTODIAN_CONTEXTS, when set, is the only contexts an environment may name (checked at startup).
  const connections = kubeConfigConnections(kubeConfig, {
    unknownToCurrent: inCluster,
    ...(settings?.contexts ? { contexts: settings.contexts } : {}),
  });
  const watcher = createRolloutWatcher({ connections, clock: systemClock, log: options.log });
  let leadership: Leadership | undefined;
  const orchestrator = createRolloutOrchestrator({
    watcher,
    isLeader: () => leadership?.isLeader() ?? false,
    handOff: async (gh, merge) => leadership?.handOff(gh, merge),
    log: options.log,
    revertEdits: heldImageRevertEdits,
    ...(settings ? { syncTimeoutMs: settings.syncTimeoutMs } : {}),
    ...options.orchestrator,
  });
  return {
    orchestrator,
    start(app) {
      leadership = createLeadership({
        kubeConfig,
        namespace: options.leaseNamespace ?? process.env.POD_NAMESPACE ?? "kustodian",
        leaseName: options.leaseName ?? "kustodian-watcher",
        identity: options.identity ?? leaderIdentity(process.env.HOSTNAME),
        clock: systemClock,
        log: options.log,
        ...(settings ? { lease: settings.lease, pollMs: settings.pollMs } : {}),
        repos: () => installationRepos(app),
        repoOf: (handOff) => handOffRepo(app, handOff),
      });
      leadership.start(orchestrator);
    },
    async stop(graceMs = 8000) {
      // Watches end at once; actions in flight get graceMs (a claimed verdict is finished by the
      // next leader from git). Then the Lease is released, so another replica takes over at its next retry.
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([orchestrator.stop(), grace]);
      clearTimeout(timer);
      await leadership?.stop();
      await watcher.close();
    },
    leading: () => leadership?.isLeader() ?? false,
    watching: () => watcher.stats().rollouts,
    reachable: () => clusterReachable(kubeConfig),
  };
}
