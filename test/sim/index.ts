// startSimulator: a Kubernetes API on 127.0.0.1 with the controllers that make Deployments
// roll out, pods that behave as their image says, and Argo CD / Flux sync emulation, all on a
// controllable clock. A test harness: see README.md.
import type { KubeConfig } from "@kubernetes/client-node";
import { applyManifests, type ApplyOptions, type AppliedObject } from "./apply.ts";
import { ClusterAddons } from "./cluster-addons.ts";
import { atOnce, SimClock, type ClockMode } from "./clock.ts";
import { DeploymentController } from "./deployment-controller.ts";
import { EventRecorder } from "./events.ts";
import { Faults } from "./faults.ts";
import { GarbageCollector } from "./garbage-collector.ts";
import { GitOps } from "./gitops.ts";
import { Ids } from "./ids.ts";
import { makeKubeConfig, writeKubeconfig } from "./kubeconfig.ts";
import { Kubelet } from "./kubelet.ts";
import { ReplicaSetController } from "./replicaset-controller.ts";
import { ResourceRegistry } from "./resources.ts";
import { Scheduler, simNodes } from "./scheduler.ts";
import { ApiServer, type OpenWatch, type RequestRecord } from "./server.ts";
import { ObjectStore } from "./store.ts";
import type { KubeObject, WatchEvent } from "./types.ts";

export interface SimulatorOptions {
  /** fast (default): simulated time moves only when the test moves it. real: wall-clock time. */
  clock?: ClockMode;
  /** Simulated start time (fast default 2025-01-01T00:00:00Z, real default now). */
  startTime?: Date | string | number;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Changes kept for watch resumption; older resourceVersions get 410. Default 5000. */
  historyLimit?: number;
  /** Seed of uids and generated names. Default 42. */
  seed?: number;
  /** Number of simulated nodes. Default 3. */
  nodes?: number;
  /** Seconds a successful image pull takes. Default 1. */
  pullSeconds?: number;
  /** Real mode: how often the controllers run, in ms. Default 10. */
  tickMs?: number;
  /** Real mode: run the controllers on a tick only when a wake-up is due (see ClockOptions.lazyTicks). Default false. */
  lazyTicks?: boolean;
  /** Real mode: the most the background settling runs before it yields to the event loop, in ms (see ClockOptions.sliceMs). Default 10. */
  sliceMs?: number;
  /** Simulated seconds between watch BOOKMARKs. Default 60. */
  bookmarkIntervalSeconds?: number;
  /** How often an automated Argo CD Application polls git. Default 180. */
  argoRefreshSeconds?: number;
  /** Called after each watch event is written to a client (e.g. to record when a change was served). */
  onWatchEvent?: (event: WatchEvent) => void;
}

export interface Simulator {
  /** http://127.0.0.1:PORT */
  url: string;
  /** A client-node KubeConfig whose current context is the simulator. */
  kubeConfig: KubeConfig;
  clock: SimClock;
  store: ObjectStore;
  faults: Faults;
  gitops: GitOps;
  /** kubectl-apply-like: create or update objects (YAML text, one object or a list). */
  apply(input: string | KubeObject | KubeObject[], options?: ApplyOptions): AppliedObject[];
  /** Runs the controllers to a standstill at the current simulated time. */
  settle(): void;
  /** Writes a kubeconfig file for code that reads one from disk; `contexts`: more context names for the same cluster. */
  writeKubeconfig(path: string, contexts?: readonly string[]): string;
  /** The requests served so far (method, path, status). */
  requests(): readonly RequestRecord[];
  openWatches(): OpenWatch[];
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const mode = options.clock ?? "fast";
  const clockOptions: ConstructorParameters<typeof SimClock>[0] = { mode };
  if (options.startTime !== undefined) clockOptions.start = options.startTime;
  if (options.tickMs !== undefined) clockOptions.tickMs = options.tickMs;
  if (options.lazyTicks !== undefined) clockOptions.lazyTicks = options.lazyTicks;
  if (options.sliceMs !== undefined) clockOptions.sliceMs = options.sliceMs;
  const clock = new SimClock(clockOptions);
  const ids = new Ids(options.seed ?? 42);
  const registry = new ResourceRegistry();
  const storeOptions: ConstructorParameters<typeof ObjectStore>[0] = { registry, clock, ids };
  if (options.historyLimit !== undefined) storeOptions.historyLimit = options.historyLimit;
  const store = new ObjectStore(storeOptions);
  const events = new EventRecorder(store, clock);
  const nodes = simNodes(options.nodes ?? 3);
  const deployments = new DeploymentController(store, clock, events);
  const replicaSets = new ReplicaSetController(store, clock, events);
  const scheduler = new Scheduler(store, clock, events, nodes);
  const kubelet = new Kubelet(store, clock, events, ids, nodes, { pullSeconds: options.pullSeconds ?? 1 });
  const gc = new GarbageCollector(store);
  const addons = new ClusterAddons(store);
  const gitopsOptions: ConstructorParameters<typeof GitOps>[2] = {};
  if (options.argoRefreshSeconds !== undefined) gitopsOptions.argoRefreshSeconds = options.argoRefreshSeconds;
  const gitops = new GitOps(store, clock, gitopsOptions);
  // Each pass runs every controller once; passes repeat until nothing changes (the clock runs
  // them), like controllers reacting to their informers, but in a fixed order so runs are
  // deterministic.
  clock.attach(
    [
      () => atOnce(() => gitops.tick()),
      () => deployments.sync(),
      () => replicaSets.sync(),
      () => scheduler.sync(),
      () => kubelet.sync(),
      () => atOnce(() => gc.sync()),
      () => atOnce(() => addons.sync()),
    ],
    () => store.resourceVersion(),
  );

  // Writes through the API are seen by the controllers right away, as through informers.
  let stopped = false;
  const unsubscribe = store.onChange(() => {
    if (!stopped) clock.settleSoon();
  });

  const faults = new Faults();
  const serverOptions: ConstructorParameters<typeof ApiServer>[0] = { store, registry, clock, faults };
  if (options.bookmarkIntervalSeconds !== undefined) serverOptions.bookmarkIntervalMs = options.bookmarkIntervalSeconds * 1000;
  if (options.onWatchEvent) serverOptions.onWatchEvent = options.onWatchEvent;
  const server = new ApiServer(serverOptions);
  faults.connect(server, store);
  const url = await server.listen(options.port ?? 0);
  clock.start();

  return {
    url,
    kubeConfig: makeKubeConfig(url),
    clock,
    store,
    faults,
    gitops,
    apply: (input, applyOptions) => {
      const applied = applyManifests(store, input, applyOptions);
      clock.settle();
      return applied;
    },
    settle: () => clock.settle(),
    writeKubeconfig: (path, contexts) => writeKubeconfig(url, path, undefined, contexts),
    requests: () => server.requests(),
    openWatches: () => server.openWatches(),
    stop: async () => {
      stopped = true;
      unsubscribe();
      clock.stop();
      await server.close();
    },
  };
}

export type { ClockMode } from "./clock.ts";
export type { AppliedObject, ApplyOptions } from "./apply.ts";
export type { SyncResult, SyncTarget } from "./gitops.ts";
export type { KubeObject, Deployment, ReplicaSet, Pod, CoreEvent, Condition } from "./types.ts";
