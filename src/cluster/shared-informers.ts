// One client-node informer per (kube context, kind, namespace), shared by every rollout that
// needs it: started on first acquire, stopped when the last handle is released. client-node
// relists by itself after 410 Gone but stops on any other error (src/cache.ts); this restarts
// it after an exponential backoff whose sleeping is injected. Objects are indexed by owner
// (ReplicaSet -> Deployment, Pod -> ReplicaSet, Event -> Pod) so lookups do not scan. Objects are
// cached without managedFields and kubectl's last-applied copy (cache-trim.ts).
import { ListWatch, Watch, type KubernetesObject } from "@kubernetes/client-node";
import type { Connections } from "./connections.ts";
import { silentLog, type Log, errorFields } from "../log/log.ts";
import { backoffDelay, realDelay, type BackoffOptions, type Delay } from "./backoff.ts";
import { fieldSelector, labelSelector, listFn, ownerKey, watchPath, type ListFn, type WatchedKind } from "./watched-kinds.ts";
import { trimForCache } from "./cache-trim.ts";

export interface InformerKey {
  context: string;
  kind: WatchedKind;
  namespace: string;
}

export type InformerEvent = "add" | "update" | "delete";
export type InformerListener = (event: InformerEvent, object: KubernetesObject) => void;

export interface InformerHandle {
  readonly key: InformerKey;
  /** Resolves once the first list has filled the cache (retrying with backoff until it does). */
  readonly synced: Promise<void>;
  isSynced(): boolean;
  get(name: string): KubernetesObject | undefined;
  list(): KubernetesObject[];
  /** Objects whose owner (see ownerKey) is `owner`. */
  byOwner(owner: string): KubernetesObject[];
  /** Every add/update/delete, including those a relist after a restart produces. */
  subscribe(listener: InformerListener): () => void;
  /** Gives the informer back; the last release stops it. Idempotent. */
  release(): void;
}

export interface InformerStats {
  key: InformerKey;
  refs: number;
  objects: number;
  /** Restarts after errors (client-node's own 410 relists are not counted). */
  restarts: number;
  resourceVersion: string;
  synced: boolean;
}

export interface SharedInformers {
  acquire(key: InformerKey): InformerHandle;
  stats(): InformerStats[];
  /** Stops every informer; handles still out become inert. */
  close(): Promise<void>;
}

export interface SharedInformersOptions {
  connections: Connections;
  /** Restart backoff after an informer error. */
  backoff?: BackoffOptions;
  /** Sleeps for restarts and for client-node's reconnect delays. Default: real time. */
  delay?: Delay;
  log?: Log;
}

interface InformerSettings {
  connections: Connections;
  backoff: BackoffOptions;
  delay: Delay;
  log: Log;
}

/**
 * client-node's ListWatch.stop() aborts the watch request it holds, but a watch still connecting
 * (stop during a start or a reconnect) is stored after stop() ran and stays open. This Watch
 * remembers the requests it opened and aborts them, and any that connect later, on close().
 */
class ClosableWatch extends Watch {
  private readonly open = new Set<AbortController>();
  private closed = false;

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const trimmed = (phase: string, apiObj: unknown, watchObj?: unknown): void => callback(phase, trimForCache(apiObj), watchObj);
    // `let`, not const: `done` may run before super.watch resolves, and then reads undefined.
    let controller: AbortController | undefined;
    // eslint-disable-next-line prefer-const
    controller = await super.watch(path, queryParams, trimmed, (err) => {
      if (controller) this.open.delete(controller);
      done(err);
    });
    if (this.closed) controller.abort();
    else this.open.add(controller);
    return controller;
  }

  close(): void {
    this.closed = true;
    for (const c of this.open) c.abort();
    this.open.clear();
  }
}

/** The list call, its items trimmed as the watch's objects are (cache-trim.ts). */
function trimmedList(list: ListFn): ListFn {
  return async () => {
    const result = await list();
    for (const item of result.items) trimForCache(item);
    return result;
  };
}

function keyString(key: InformerKey): string {
  return `${key.context}\u0000${key.kind}\u0000${key.namespace}`;
}

class SharedInformer {
  readonly key: InformerKey;
  refs = 0;
  restarts = 0;
  private readonly informer: ListWatch<KubernetesObject>;
  private readonly watch: ClosableWatch;
  private readonly listeners = new Set<InformerListener>();
  private readonly owners = new Map<string, Map<string, KubernetesObject>>();
  private readonly ownerOf = new Map<string, string>();
  private running = false;
  private failures = 0;
  private errors = 0;
  private restartPending = false;
  private syncedFlag = false;
  /** Objects in the cache (adds minus deletes), without copying the cache. */
  size = 0;
  private resolveSynced: () => void = () => {};
  readonly synced: Promise<void>;

  private readonly options: InformerSettings;

  constructor(key: InformerKey, options: InformerSettings) {
    this.key = key;
    this.options = options;
    this.synced = new Promise((resolve) => {
      this.resolveSynced = resolve;
    });
    const kc = options.connections.forContext(key.context);
    this.watch = new ClosableWatch(kc);
    this.informer = new ListWatch<KubernetesObject>(
      watchPath(key.kind, key.namespace),
      this.watch,
      trimmedList(listFn(kc, key.kind, key.namespace)),
      false,
      labelSelector(key.kind),
      fieldSelector(key.kind),
      { delayFn: options.delay },
    );
    this.informer.on("add", (o) => this.changed("add", o));
    this.informer.on("update", (o) => this.changed("update", o));
    this.informer.on("delete", (o) => this.changed("delete", o));
    this.informer.on("error", (e) => this.failed(e));
  }

  isSynced(): boolean {
    return this.syncedFlag;
  }

  get(name: string): KubernetesObject | undefined {
    return this.informer.get(name, this.key.namespace);
  }

  list(): KubernetesObject[] {
    return [...this.informer.list(this.key.namespace)];
  }

  byOwner(owner: string): KubernetesObject[] {
    const bucket = this.owners.get(owner);
    return bucket ? [...bucket.values()] : [];
  }

  subscribe(listener: InformerListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  resourceVersion(): string {
    return this.informer.latestResourceVersion();
  }

  start(): void {
    this.running = true;
    void this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.listeners.clear();
    this.watch.close();
    await this.informer.stop();
  }

  private async run(): Promise<void> {
    const errorsBefore = this.errors;
    try {
      await this.informer.start();
    } catch (error) {
      this.failed(error);
      return;
    }
    if (!this.running || this.errors !== errorsBefore || this.informer.latestResourceVersion() === "") return;
    this.failures = 0;
    if (!this.syncedFlag) {
      this.syncedFlag = true;
      this.resolveSynced();
    }
  }

  private failed(error: unknown): void {
    if (!this.running) return; // the abort of our own stop()
    this.errors++;
    this.failures++;
    if (this.restartPending) return;
    this.restartPending = true;
    const ms = backoffDelay(this.failures, this.options.backoff);
    this.options.log.warn(
      { informer: this.key, err: errorFields(error), retryInMs: ms },
      "informer stopped on an error; restarting after backoff",
    );
    void this.options.delay(ms).then(() => {
      this.restartPending = false;
      if (!this.running) return;
      this.restarts++;
      void this.run();
    });
  }

  private changed(event: InformerEvent, object: KubernetesObject): void {
    if (event === "add") this.size++;
    else if (event === "delete") this.size--;
    const name = object.metadata?.name ?? "";
    const previous = this.ownerOf.get(name);
    const owner = event === "delete" ? undefined : ownerKey(this.key.kind, object);
    if (previous !== undefined && previous !== owner) {
      const bucket = this.owners.get(previous);
      bucket?.delete(name);
      if (bucket?.size === 0) this.owners.delete(previous);
      this.ownerOf.delete(name);
    }
    if (owner !== undefined) {
      let bucket = this.owners.get(owner);
      if (!bucket) this.owners.set(owner, (bucket = new Map()));
      bucket.set(name, object);
      this.ownerOf.set(name, owner);
    }
    for (const listener of this.listeners) listener(event, object);
  }
}

export function createSharedInformers(options: SharedInformersOptions): SharedInformers {
  const entries = new Map<string, SharedInformer>();
  const settings = {
    connections: options.connections,
    backoff: options.backoff ?? {},
    delay: options.delay ?? realDelay,
    log: options.log ?? silentLog,
  };
  let closed = false;

  function release(id: string, entry: SharedInformer): void {
    entry.refs--;
    if (entry.refs > 0 || entries.get(id) !== entry) return;
    entries.delete(id);
    void entry.stop();
  }

  return {
    acquire(key) {
      if (closed) throw new Error("shared informers are closed");
      const id = keyString(key);
      let entry = entries.get(id);
      if (!entry) {
        entry = new SharedInformer({ ...key }, settings);
        entries.set(id, entry);
        entry.start();
      }
      entry.refs++;
      const shared = entry;
      const subscriptions = new Set<() => void>();
      let released = false;
      return {
        key: shared.key,
        synced: shared.synced,
        isSynced: () => shared.isSynced(),
        get: (name) => shared.get(name),
        list: () => shared.list(),
        byOwner: (owner) => shared.byOwner(owner),
        subscribe(listener) {
          const off = shared.subscribe(listener);
          subscriptions.add(off);
          return () => {
            off();
            subscriptions.delete(off);
          };
        },
        release() {
          if (released) return;
          released = true;
          for (const off of subscriptions) off();
          subscriptions.clear();
          release(id, shared);
        },
      };
    },
    stats() {
      return [...entries.values()].map((e) => ({
        key: e.key,
        refs: e.refs,
        objects: e.size,
        restarts: e.restarts,
        resourceVersion: e.resourceVersion(),
        synced: e.isSynced(),
      }));
    },
    async close() {
      closed = true;
      const all = [...entries.values()];
      entries.clear();
      await Promise.all(all.map((e) => e.stop()));
    },
  };
}
