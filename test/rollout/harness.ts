// End to end after the merge: the real Probot app (signed webhooks) on the git-backed fake GitHub,
// the real rollout watcher on the Kubernetes API simulator, and Argo CD / Flux in the simulator
// syncing from the SAME git repository the fake GitHub writes to, so a revert commit really
// re-syncs. Simulated time stands still while a bot talks to GitHub.
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import nock from "nock";
import type { Probot } from "probot";
import { createKustodianApp, type KustodianApp } from "../../src/app/index.ts";
import { singleClusterConnections, type Connections } from "../../src/cluster/connections.ts";
import { createSharedInformers, type SharedInformers } from "../../src/cluster/shared-informers.ts";
import type { GitHubClient } from "../../src/github/client.ts";
import { createRolloutOrchestrator, type RolloutOrchestrator, type RolloutOrchestratorOptions } from "../../src/rollout/orchestrator.ts";
import type { RepoClient } from "../../src/rollout/repo-client.ts";
import { createLeadership, type Leadership } from "../../src/rollout/leadership.ts";
import { handOffRepo, installationRepos } from "../../src/rollout/service.ts";
import { silentLog } from "../../src/log/log.ts";
import { createRolloutWatcher, type ClusterRolloutWatcher } from "../../src/watch/rollout-watcher.ts";
import { deliverTo, startHarness, testProbot, type Harness } from "../app/harness.ts";
import { botLogin, installationId, owner, pushEvent, repo } from "../app/payloads.ts";
import { runCli } from "../helpers/cli.ts";
import { deployment, rolloutComplete } from "../sim/helpers.ts";
import { startSimulator, type Simulator } from "../sim/index.ts";
import type { KubeObject, Pod } from "../sim/types.ts";
import { changeTracker, noDelay, simClock } from "../watch/helpers.ts";
import { checkRequests, deployPermissions, type Permission } from "../deploy/rbac.ts";

const run = promisify(execFile);
let permissions: Permission[] | undefined;

export type Env = "prod" | "staging" | "dev";

/** One bot process: its own Probot app, watcher, informers and orchestrator. */
export interface Instance {
  probot: Probot;
  app: KustodianApp;
  orchestrator: RolloutOrchestrator;
  watcher: ClusterRolloutWatcher;
  informers: SharedInformers;
  /** The orchestrator's GitHub actions in flight (its onActivity). */
  activity: { inFlight: number };
  deliver(name: string, payload: object, deliveryId?: string): Promise<void>;
  settle(): Promise<void>;
  /** The repository as the orchestrator's restart path sees it (an installation Octokit from Probot). */
  repoClient(): Promise<RepoClient>;
  /** What a kill looks like to the cluster and to GitHub: watches end, nothing more is acted on (a Lease held is not released). */
  kill(): Promise<void>;
  alive: boolean;
  /** A replica made by newReplica: its Lease candidacy and hand-offs (src/rollout/leadership.ts). */
  leadership?: Leadership;
}

export interface ReplicaOptions {
  /** Unique per replica. */
  identity: string;
  /** Lease timings, seconds of simulated time. Default 15 / 10 / 2 (client-go's). */
  lease?: { durationSeconds: number; renewDeadlineSeconds: number; retrySeconds: number };
  /** The leader's poll. Default 60 s. */
  pollMs?: number;
}

export interface World {
  h: Harness;
  sim: Simulator;
  first: Instance;
  instances: Instance[];
  newInstance(options?: Partial<RolloutOrchestratorOptions>): Promise<Instance>;
  /**
   * A replica as the server runs it: it competes for the Lease in deploy/'s namespace on the
   * simulator's clock and, while not leading, hands the merges it understands to the leader.
   */
  newReplica(options: ReplicaOptions): Promise<Instance & { leadership: Leadership }>;
  /** Argo CD (prod, staging) / Flux (dev) objects syncing overlays/<env> from the fake GitHub's repository; rolled out. */
  deploy(envs: readonly Env[]): Promise<void>;
  /** A PR branch with edits of environment files and kustodian's regenerated overlays, merged with a merge commit; the push is delivered. */
  merge(o: MergeOptions): Promise<Merged>;
  /** Steps simulated time until the predicate holds, letting informers catch up and bots finish talking to GitHub first. */
  run(predicate: () => boolean | Promise<boolean>, maxSimulatedMs?: number): Promise<number>;
  /** Which instance GitHub sends the push webhook of kustodian's own commits to (default: the first alive one); null: none. */
  pushesTo: Instance | null | undefined;
  /** Commits on main after `sha` whose message carries `Kustodian-Revert:`. */
  revertCommits(after: string): { sha: string; message: string }[];
  stop(): Promise<void>;
}

export interface MergeOptions {
  number: number;
  title: string;
  branch: string;
  /** [file, from, to]: exact replacements that must match. */
  edits: readonly (readonly [string, string | RegExp, string])[];
  labels?: string[];
  /** The pull request's body (a revert pull request carries kustodian's trailers there). */
  body?: string;
  /** Who opened the pull request (default a person; the app's bot for its revert pull requests). */
  author?: string;
  /** Deliver the push with this app instance (default the first); false: do not deliver. */
  deliverWith?: Instance | false;
  deliveryId?: string;
}

export interface Merged {
  mergeSha: string;
  before: string;
  push: object;
}

export async function startWorld(
  options: Partial<RolloutOrchestratorOptions> = {},
  worldOptions: { repoDir?: string; connections?: (sim: Simulator) => Connections } = {},
): Promise<World> {
  const sim = await startSimulator({ clock: "fast", argoRefreshSeconds: 10 });
  const tracker = changeTracker(sim);
  const connections = worldOptions.connections?.(sim) ?? singleClusterConnections(sim.kubeConfig);
  const instances: Instance[] = [];

  const makeParts = (extra: Partial<RolloutOrchestratorOptions>) => {
    const informers = createSharedInformers({ connections, delay: noDelay });
    const watcher = createRolloutWatcher({ connections, clock: simClock(sim), informers, delay: noDelay });
    // What the orchestrator reports of its GitHub work in flight: simulated time stands still while it is above 0.
    const activity = { inFlight: 0 };
    const onActivity = extra.onActivity ?? options.onActivity;
    const orchestrator = createRolloutOrchestrator({
      watcher,
      ...options,
      ...extra,
      onActivity: (inFlight) => {
        activity.inFlight = inFlight;
        onActivity?.(inFlight);
      },
    });
    return { informers, watcher, orchestrator, activity };
  };

  const finish = (probot: Probot, app: KustodianApp, parts: ReturnType<typeof makeParts>): Instance => {
    const instance: Instance = {
      probot,
      app,
      ...parts,
      alive: true,
      deliver: (name, payload, deliveryId) => deliverTo(probot, name, payload, deliveryId),
      settle: () => app.queue.idle(),
      async repoClient() {
        const octokit = (await probot.auth(installationId)) as unknown as GitHubClient;
        return { octokit, repo: { owner, repo }, defaultBranch: "main" };
      },
      async kill() {
        instance.alive = false;
        await instance.leadership?.stop({ release: false });
        await parts.orchestrator.stop();
        await parts.watcher.close();
        await parts.informers.close();
      },
    };
    instances.push(instance);
    return instance;
  };

  const firstParts = makeParts({});
  const h = await startHarness({ rollout: firstParts.orchestrator }, worldOptions.repoDir ? { repoDir: worldOptions.repoDir } : {});
  // The simulator is on loopback; client-node's own fetch is not nock's to see, but be explicit.
  nock.enableNetConnect("127.0.0.1");
  const first = finish(h.probot, h.app, firstParts);
  const dir = h.dir;

  const gitEnv = () => {
    const date = sim.clock.iso();
    return {
      ...process.env,
      GIT_AUTHOR_NAME: "Octo Dev",
      GIT_AUTHOR_EMAIL: "dev@example.com",
      GIT_COMMITTER_NAME: "GitHub",
      GIT_COMMITTER_EMAIL: "noreply@github.com",
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    };
  };
  const git = async (...args: string[]) => (await run("git", ["-C", dir, ...args], { env: gitEnv() })).stdout.trim();

  let inflight = 0;
  const inSync = () =>
    inflight === 0 &&
    instances
      .filter((i) => i.alive)
      .every(
        (i) =>
          tracker.inSync(i.informers) &&
          i.watcher.stats().pending === 0 &&
          i.activity.inFlight === 0 &&
          (!i.leadership || (!i.leadership.busy() && tracker.inSync(i.leadership.informers))),
      );
  // Simulated time does not move until every bot has caught up, however long that takes on a busy
  // machine (moving on early would let the cluster run ahead of the bots watching it). Only a
  // bot that never catches up fails, long after any load could explain it. In sync twice, a turn
  // of the event loop apart: work that a promise chain starts (a verdict reaching the
  // orchestrator) has begun by then, however many microtasks it takes.
  const catchUp = async () => {
    const started = performance.now();
    do {
      while (!inSync()) {
        if (performance.now() - started > 120_000)
          throw new Error("the bots did not catch up with the simulator in 120 s (informers, watchers, orchestrators)");
        await sleep(2);
      }
      await new Promise((r) => setImmediate(r));
    } while (!inSync());
  };

  // GitHub sends a push webhook for the commits the app makes (reverts): deliver it as GitHub would.
  h.github.afterCommit = ({ branch, before, after, message }) => {
    if (branch !== "main") return;
    const target = world.pushesTo === undefined ? instances.find((i) => i.alive) : world.pushesTo;
    if (!target) return;
    const push = pushEvent({ before, after, message, timestamp: sim.clock.iso(), pusher: botLogin });
    inflight++;
    setImmediate(() => {
      void target
        .deliver("push", push)
        .then(() => target.settle())
        .finally(() => inflight--);
    });
  };

  const world: World = {
    h,
    sim,
    first,
    instances,
    pushesTo: undefined,
    async newInstance(extra = {}) {
      const parts = makeParts(extra);
      const probot = testProbot();
      const app = createKustodianApp({ botLogin, rollout: parts.orchestrator, sleep: async () => {} });
      await probot.load(app.appFn);
      return finish(probot, app, parts);
    },

    async newReplica(o) {
      const instance = await world.newInstance({
        isLeader: () => instance.leadership?.isLeader() ?? false,
        handOff: async (gh, merge) => instance.leadership?.handOff(gh, merge),
      });
      permissions ??= deployPermissions();
      const leadership = createLeadership({
        kubeConfig: sim.kubeConfig,
        namespace: permissions.find((p) => p.resource === "leases")!.namespace!,
        identity: o.identity,
        clock: simClock(sim),
        log: silentLog,
        delay: noDelay,
        ...(o.lease ? { lease: o.lease } : {}),
        ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
        repos: () => installationRepos(instance.probot),
        repoOf: (handOff) => handOffRepo(instance.probot, handOff),
      });
      instance.leadership = leadership;
      leadership.start(instance.orchestrator);
      return instance as Instance & { leadership: Leadership };
    },

    async deploy(envs) {
      for (const env of envs) {
        const namespace = `wordpress-${env}`;
        if (env === "dev") {
          sim.apply([
            {
              apiVersion: "source.toolkit.fluxcd.io/v1",
              kind: "GitRepository",
              metadata: { name: "gitops", namespace: "flux-system" },
              spec: { interval: "1m", url: pathToFileURL(dir).href, ref: { branch: "main" } },
            },
            {
              apiVersion: "kustomize.toolkit.fluxcd.io/v1",
              kind: "Kustomization",
              metadata: { name: "wordpress-dev", namespace: "flux-system" },
              spec: { interval: "10s", path: "./overlays/dev", prune: true, sourceRef: { kind: "GitRepository", name: "gitops" } },
            },
          ] as KubeObject[]);
        } else {
          sim.apply({
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Application",
            metadata: { name: `wordpress-${env}`, namespace: "argocd" },
            spec: {
              project: "default",
              source: { repoURL: pathToFileURL(dir).href, targetRevision: "main", path: `overlays/${env}` },
              destination: { server: "https://kubernetes.default.svc", namespace },
              syncPolicy: { automated: { prune: true } },
            },
          } as KubeObject);
          sim.gitops.sync({ kind: "Application", namespace: "argocd", name: `wordpress-${env}` });
        }
        await sim.clock.runUntil(() => {
          try {
            return (
              rolloutComplete(deployment(sim, "wordpress", namespace)) && rolloutComplete(deployment(sim, "wordpress-mysql", namespace))
            );
          } catch {
            return false;
          }
        });
      }
    },

    async merge(o) {
      await git("checkout", "-q", "-f", "-B", o.branch, "main");
      for (const [path, from, to] of o.edits) {
        const file = join(dir, path);
        const text = await readFile(file, "utf8");
        const next = text.replace(from, to);
        if (next === text) throw new Error(`edit of ${path} matched nothing: ${String(from)}`);
        await writeFile(file, next);
      }
      // What kustodian's PR flow committed on the branch before the merge: the regenerated overlays.
      const rendered = await runCli(dir, "render");
      if (rendered.code !== 0) throw new Error(`kustodian render failed: ${rendered.stderr}`);
      await git("add", "-A");
      await git("commit", "-qm", o.title);
      await git("checkout", "-q", "-f", "--detach", "main");
      const before = await git("rev-parse", "refs/heads/main");
      const tree = await git("merge-tree", "--write-tree", "refs/heads/main", `refs/heads/${o.branch}`);
      const message = `Merge pull request #${o.number} from ${owner}/${o.branch}\n\n${o.title}`;
      const mergeSha = await git("commit-tree", tree, "-p", before, "-p", `refs/heads/${o.branch}`, "-m", message);
      await git("update-ref", "refs/heads/main", mergeSha, before);
      h.github.pulls.set(o.number, {
        number: o.number,
        title: o.title,
        headRef: o.branch,
        baseRef: "main",
        fork: false,
        state: "closed",
        merged: true,
        labels: o.labels ?? [],
        mergeCommitSha: mergeSha,
        ...(o.body ? { body: o.body } : {}),
        ...(o.author ? { author: o.author } : {}),
      });
      const push = pushEvent({ before, after: mergeSha, message, timestamp: sim.clock.iso() });
      const via = o.deliverWith === undefined ? first : o.deliverWith;
      if (via) {
        await via.deliver("push", push, o.deliveryId);
        await via.settle();
      }
      return { mergeSha, before, push };
    },

    run(predicate, maxSimulatedMs = 900_000) {
      return sim.clock.runUntil(predicate, { maxSimulatedMs, beforeStep: catchUp });
    },

    revertCommits(after) {
      const log = h.github.git("log", "--format=%H%x00%B%x01", `${after}..main`);
      return log
        .split("\x01")
        .map((r) => r.trim())
        .filter(Boolean)
        .map((r) => {
          const [sha, message] = r.split("\x00");
          return { sha: sha!.trim(), message: message ?? "" };
        })
        .filter((c) => c.message.includes("Kustodian-Revert:"));
    },

    async stop() {
      for (const i of instances) if (i.alive) await i.kill();
      tracker.stop();
      h.github.uninstall();
      await sim.stop();
      // Every request the watchers made must be allowed by deploy/'s RBAC (test/deploy/rbac.test.ts checks the rest).
      permissions ??= deployPermissions();
      const { denied } = checkRequests(permissions, sim.requests());
      if (denied.length > 0) throw new Error(`requests deploy/'s RBAC does not allow:\n${denied.join("\n")}`);
    },
  };
  return world;
}

/** The environment's pods running this image in their first container. */
export function podsWithImage(sim: Simulator, env: Env, image: string): Pod[] {
  return sim.store
    .list<Pod>({ apiVersion: "v1", kind: "Pod", namespace: `wordpress-${env}` })
    .filter((p) => p.spec.containers[0]?.image === image && !p.metadata.deletionTimestamp);
}

export function wordpressImage(sim: Simulator, env: Env): string | undefined {
  return deployment(sim, "wordpress", `wordpress-${env}`).spec.template.spec.containers[0]?.image;
}

export function healthyAt(sim: Simulator, env: Env, image: string): boolean {
  const d = deployment(sim, "wordpress", `wordpress-${env}`);
  return d.spec.template.spec.containers[0]?.image === image && rolloutComplete(d);
}
