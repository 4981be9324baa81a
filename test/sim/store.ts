// The object store behind the API: objects by apiVersion/kind/namespace/name, a global
// resourceVersion counter, and a bounded log of watch events. A watch may resume from any
// resourceVersion still in the log; older ones get 410 Gone, as after etcd compaction.
import { alreadyExists, conflict, gone, notFound } from "./api-error.ts";
import type { SimClock } from "./clock.ts";
import type { Ids } from "./ids.ts";
import { clone, deepEqual, withoutUndefined } from "./json.ts";
import type { ResourceRegistry, ResourceType } from "./resources.ts";
import { matchesFields, matchesRequirements, type FieldRequirement, type Requirement } from "./selectors.ts";
import type { KubeObject, WatchEvent } from "./types.ts";

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
}

export interface Query {
  apiVersion: string;
  kind: string;
  /** Omit for all namespaces. */
  namespace?: string | undefined;
  labels?: Requirement[] | undefined;
  fields?: FieldRequirement[] | undefined;
}

export interface Change {
  rv: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
  previous: KubeObject | undefined;
}

export interface StoreOptions {
  registry: ResourceRegistry;
  clock: SimClock;
  ids: Ids;
  /** How many changes the watch log keeps. Older resourceVersions answer 410 Gone. */
  historyLimit?: number;
}

export interface DeleteOptions {
  /** Pods only: seconds to wait before the kubelet removes the pod; 0 removes it at once. */
  gracePeriodSeconds?: number | undefined;
}

function keyOf(ref: ObjectRef): string {
  return `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ""}|${ref.name}`;
}

export function refOf(object: KubeObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
}

function withoutVersion(object: KubeObject): KubeObject {
  return { ...object, metadata: { ...object.metadata, resourceVersion: undefined } } as KubeObject;
}

function matches(query: Query, object: KubeObject): boolean {
  if (object.apiVersion !== query.apiVersion || object.kind !== query.kind) return false;
  if (query.namespace !== undefined && (object.metadata.namespace ?? "") !== query.namespace) return false;
  if (query.labels && !matchesRequirements(object.metadata.labels, query.labels)) return false;
  if (query.fields && !matchesFields(object, query.fields)) return false;
  return true;
}

/** Objects of one namespace (or of none: "") of one type, by name; `sorted`: their names in list order, until one comes or goes. */
interface Bucket {
  objects: Map<string, KubeObject>;
  sorted: string[] | undefined;
}

/** The buckets of one type by namespace; `sorted`: the namespaces in list order, until a new one comes. */
interface TypeIndex {
  namespaces: Map<string, Bucket>;
  sorted: string[] | undefined;
}

/** The names of a bucket or the namespaces of a type, in list order (cached until the set changes). */
function sortedKeys(index: Bucket | TypeIndex): string[] {
  const keys = "objects" in index ? index.objects : index.namespaces;
  index.sorted ??= [...keys.keys()].sort((a, b) => a.localeCompare(b));
  return index.sorted;
}

/** List order: by namespace, then name (as etcd returns them). */
function byNamespaceAndName(a: KubeObject, b: KubeObject): number {
  return (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") || a.metadata.name.localeCompare(b.metadata.name);
}

function controllerUid(object: KubeObject): string | undefined {
  return object.metadata.ownerReferences?.find((r) => r.controller === true)?.uid;
}

export class ObjectStore {
  readonly registry: ResourceRegistry;
  private readonly clock: SimClock;
  private readonly ids: Ids;
  private readonly objects = new Map<string, KubeObject>();
  /** The same objects by "apiVersion kind" then namespace, so scans do not visit every object. */
  private readonly byType = new Map<string, TypeIndex>();
  /** The same objects by the uid of their controller (ownerReference with controller: true). */
  private readonly byController = new Map<string, Map<string, KubeObject>>();
  /** When (ownedSeq) an object controlled by each uid last came, changed or went. */
  private readonly ownedChanges = new Map<string, number>();
  private ownedSeq = 0;
  /** The watch log: the changes from index logStart on (older ones are dropped). */
  private readonly log: Change[] = [];
  private logStart = 0;
  private readonly historyLimit: number;
  private rv = 100;
  /** Changes with rv > compactedRv are all in the log. */
  private compactedRv = 100;
  private readonly listeners = new Set<(change: Change) => void>();

  constructor(options: StoreOptions) {
    this.registry = options.registry;
    this.clock = options.clock;
    this.ids = options.ids;
    this.historyLimit = options.historyLimit ?? 5000;
  }

  resourceVersion(): string {
    return String(this.rv);
  }

  /** The oldest resourceVersion a watch can still resume from. */
  oldestResumableVersion(): string {
    return String(this.compactedRv);
  }

  typeOf(object: Pick<KubeObject, "apiVersion" | "kind"> & { metadata?: { namespace?: string | undefined } }): ResourceType {
    return this.registry.ensure(object.apiVersion, object.kind, object.metadata?.namespace !== undefined);
  }

  get<T extends KubeObject = KubeObject>(ref: ObjectRef): T | undefined {
    const found = this.objects.get(keyOf(ref));
    return found ? (clone(found) as T) : undefined;
  }

  /** Objects matching the query, sorted by namespace then name (as etcd returns them). */
  list<T extends KubeObject = KubeObject>(query: Query): T[] {
    return this.scan<T>(query).map((o) => clone(o));
  }

  /**
   * Like get, without the copy: the stored object itself, which callers must not modify
   * (controllers read with peek/scan and write with mutate/update).
   */
  peek<T extends KubeObject = KubeObject>(ref: ObjectRef): T | undefined {
    return this.objects.get(keyOf(ref)) as T | undefined;
  }

  /** Like list, without the copies; the same caveat as peek. */
  scan<T extends KubeObject = KubeObject>(query: Query): T[] {
    const items: KubeObject[] = [];
    const index = this.byType.get(`${query.apiVersion} ${query.kind}`);
    if (!index) return [];
    const namespaces = query.namespace === undefined ? sortedKeys(index) : [query.namespace];
    for (const namespace of namespaces) {
      const bucket = index.namespaces.get(namespace);
      if (!bucket) continue;
      for (const name of sortedKeys(bucket)) {
        const object = bucket.objects.get(name)!;
        if (matches(query, object)) items.push(object);
      }
    }
    return items as T[];
  }

  /**
   * Like scan, only the objects whose controller (ownerReference with controller: true) has
   * this uid: a controller's pods or ReplicaSets without visiting the namespace's others.
   */
  scanOwned<T extends KubeObject = KubeObject>(query: Query, ownerUid: string | undefined): T[] {
    const owned = ownerUid === undefined ? undefined : this.byController.get(ownerUid);
    if (!owned) return [];
    const items: KubeObject[] = [];
    for (const object of owned.values()) if (matches(query, object)) items.push(object);
    items.sort(byNamespaceAndName);
    return items as T[];
  }

  /**
   * A number that changes whenever an object controlled by this uid comes, changes or goes: a
   * controller whose own object and whose dependents' number are as they were sees nothing new.
   */
  ownedVersion(ownerUid: string | undefined): number {
    return ownerUid === undefined ? 0 : (this.ownedChanges.get(ownerUid) ?? 0);
  }

  /** Stores a new object; fills uid, creationTimestamp, generation and resourceVersion. */
  create<T extends KubeObject>(input: T): T {
    const object = clone(input);
    const type = this.typeOf(object);
    if (!object.metadata.name && object.metadata.generateName) {
      object.metadata.name = `${object.metadata.generateName}${this.ids.suffix()}`;
    }
    if (!type.namespaced) delete object.metadata.namespace;
    else if (!object.metadata.namespace) object.metadata.namespace = "default";
    const key = keyOf(refOf(object));
    if (this.objects.has(key)) throw alreadyExists(type.group, type.plural, object.metadata.name);
    object.metadata.uid = this.ids.uid();
    object.metadata.creationTimestamp = this.clock.iso();
    delete object.metadata.deletionTimestamp;
    if (object.spec !== undefined) object.metadata.generation = 1;
    else delete object.metadata.generation;
    object.metadata.resourceVersion = String(++this.rv);
    this.put(key, object);
    if (object.kind === "CustomResourceDefinition") this.registry.registerDefinition(object);
    this.record({ rv: this.rv, type: "ADDED", object, previous: undefined });
    return clone(object);
  }

  /**
   * Replaces an object. When the input carries metadata.resourceVersion it must be the stored
   * one (else 409 Conflict). The generation goes up when the spec changes. An update that
   * changes nothing is a no-op, as in the real API.
   */
  update<T extends KubeObject>(input: T): T {
    return this.write(clone(input));
  }

  /** update, on an object the store may keep (a copy no caller holds). */
  private write<T extends KubeObject>(object: T): T {
    const type = this.typeOf(object);
    if (!type.namespaced) delete object.metadata.namespace;
    const key = keyOf(refOf(object));
    const existing = this.objects.get(key);
    if (!existing) throw notFound(type.group, type.plural, object.metadata.name);
    const expected = object.metadata.resourceVersion;
    if (expected !== undefined && expected !== "" && expected !== existing.metadata.resourceVersion) {
      throw conflict(type.group, type.plural, object.metadata.name);
    }
    object.metadata.uid = existing.metadata.uid;
    object.metadata.creationTimestamp = existing.metadata.creationTimestamp;
    if (existing.metadata.deletionTimestamp) object.metadata.deletionTimestamp = existing.metadata.deletionTimestamp;
    const generation = existing.metadata.generation;
    if (object.kind === "Pod") {
      // Pod specs are (nearly) immutable; binding to a node does not make a new generation.
      if (generation !== undefined) object.metadata.generation = generation;
    } else if (generation !== undefined || object.spec !== undefined) {
      object.metadata.generation = (generation ?? 0) + (deepEqual(existing.spec, object.spec) ? 0 : 1);
      if (object.metadata.generation === 0) object.metadata.generation = 1;
    }
    object.metadata.resourceVersion = existing.metadata.resourceVersion;
    if (deepEqual(withoutVersion(existing), withoutVersion(object))) return clone(existing) as T;
    // A deletion waiting only for finalizers completes when the last one is removed.
    if (object.metadata.deletionTimestamp && (object.metadata.finalizers ?? []).length === 0 && object.kind !== "Pod") {
      return this.remove(refOf(object)) as T;
    }
    object.metadata.resourceVersion = String(++this.rv);
    this.put(key, object);
    this.record({ rv: this.rv, type: "MODIFIED", object, previous: existing });
    return clone(object);
  }

  /** Reads, changes with fn, and writes back only if something changed. */
  mutate<T extends KubeObject>(ref: ObjectRef, fn: (object: T) => void): T | undefined {
    const current = this.get<T>(ref);
    if (!current) return undefined;
    fn(current);
    current.metadata.resourceVersion = undefined;
    return this.write(withoutUndefined(current));
  }

  /**
   * Deletes like the API: a scheduled Pod gets a deletionTimestamp and stays until the kubelet
   * has stopped it; an object with finalizers waits for them; anything else goes at once.
   */
  delete(ref: ObjectRef, options: DeleteOptions = {}): KubeObject {
    const existing = this.objects.get(keyOf(ref));
    const type = this.typeOf({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { namespace: ref.namespace } });
    if (!existing) throw notFound(type.group, type.plural, ref.name);
    if (existing.kind === "Pod" && existing.apiVersion === "v1") {
      const spec = existing.spec as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
      const grace = options.gracePeriodSeconds ?? spec?.terminationGracePeriodSeconds ?? 30;
      if (grace > 0 && spec?.nodeName) {
        if (existing.metadata.deletionTimestamp) return clone(existing);
        return this.mutate(ref, (pod) => {
          pod.metadata.deletionTimestamp = new Date(this.clock.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
          pod.metadata.deletionGracePeriodSeconds = grace;
        }) as KubeObject;
      }
    } else if ((existing.metadata.finalizers ?? []).length > 0) {
      if (existing.metadata.deletionTimestamp) return clone(existing);
      return this.mutate(ref, (o) => {
        o.metadata.deletionTimestamp = this.clock.iso();
        o.metadata.deletionGracePeriodSeconds = 0;
      }) as KubeObject;
    }
    return this.remove(ref);
  }

  private put(key: string, object: KubeObject): void {
    const previous = this.objects.get(key);
    this.objects.set(key, object);
    const type = `${object.apiVersion} ${object.kind}`;
    let index = this.byType.get(type);
    if (!index) this.byType.set(type, (index = { namespaces: new Map(), sorted: undefined }));
    const namespace = object.metadata.namespace ?? "";
    let bucket = index.namespaces.get(namespace);
    if (!bucket) {
      index.namespaces.set(namespace, (bucket = { objects: new Map(), sorted: undefined }));
      index.sorted = undefined;
    }
    if (!bucket.objects.has(object.metadata.name)) bucket.sorted = undefined;
    bucket.objects.set(object.metadata.name, object);
    const before = previous && controllerUid(previous);
    const after = controllerUid(object);
    if (before !== undefined && before !== after) {
      this.byController.get(before)?.delete(key);
      this.ownedChanges.set(before, ++this.ownedSeq);
    }
    if (after !== undefined) {
      this.ownedChanges.set(after, ++this.ownedSeq);
      let owned = this.byController.get(after);
      if (!owned) this.byController.set(after, (owned = new Map()));
      owned.set(key, object);
    }
  }

  /** Removes an object now, whatever its finalizers or grace period. */
  remove(ref: ObjectRef): KubeObject {
    const key = keyOf(ref);
    const existing = this.objects.get(key);
    const type = this.typeOf({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { namespace: ref.namespace } });
    if (!existing) throw notFound(type.group, type.plural, ref.name);
    this.objects.delete(key);
    const bucket = this.byType.get(`${existing.apiVersion} ${existing.kind}`)?.namespaces.get(existing.metadata.namespace ?? "");
    if (bucket?.objects.delete(existing.metadata.name)) bucket.sorted = undefined;
    const owner = controllerUid(existing);
    if (owner !== undefined) {
      const owned = this.byController.get(owner);
      owned?.delete(key);
      if (owned?.size === 0) this.byController.delete(owner);
      this.ownedChanges.set(owner, ++this.ownedSeq);
    }
    if (existing.metadata.uid !== undefined) this.ownedChanges.delete(existing.metadata.uid);
    const object = clone(existing);
    object.metadata.resourceVersion = String(++this.rv);
    this.record({ rv: this.rv, type: "DELETED", object, previous: existing });
    return clone(object);
  }

  /**
   * Starts a watch. From resourceVersion "" or "0" it first sends the current objects as ADDED;
   * from a newer one it replays the logged changes after it; from one older than the log it
   * throws a 410 Gone ApiError. `send` is called synchronously on every matching change.
   */
  watch(query: Query, resourceVersion: string | undefined, send: (event: WatchEvent) => void): () => void {
    const from = resourceVersion === undefined || resourceVersion === "" || resourceVersion === "0" ? undefined : Number(resourceVersion);
    if (from !== undefined && (!Number.isFinite(from) || from < this.compactedRv)) {
      throw gone(`too old resource version: ${resourceVersion} (${this.compactedRv})`);
    }
    const deliver = (change: Change): void => {
      const event = this.toWatchEvent(query, change);
      if (event) send(event);
    };
    if (from === undefined) {
      for (const object of this.list(query)) send({ type: "ADDED", object });
    } else {
      for (let i = this.logStart; i < this.log.length; i++) {
        const change = this.log[i]!;
        if (change.rv > from) deliver(change);
      }
    }
    this.listeners.add(deliver);
    return () => {
      this.listeners.delete(deliver);
    };
  }

  /** Listens to every change (used by the controllers' settle loop and by tests). */
  onChange(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Forgets the watch log, as etcd compaction does: every older resourceVersion gets 410. */
  compact(): void {
    this.log.length = 0;
    this.logStart = 0;
    this.compactedRv = this.rv;
  }

  private toWatchEvent(query: Query, change: Change): WatchEvent | undefined {
    const now = matches(query, change.object);
    if (change.type !== "MODIFIED") return now ? { type: change.type, object: clone(change.object) } : undefined;
    const before = change.previous !== undefined && matches(query, change.previous);
    if (now && before) return { type: "MODIFIED", object: clone(change.object) };
    if (now) return { type: "ADDED", object: clone(change.object) };
    if (before) return { type: "DELETED", object: clone(change.object) };
    return undefined;
  }

  private record(change: Change): void {
    this.log.push(change);
    while (this.log.length - this.logStart > this.historyLimit) this.compactedRv = this.log[this.logStart++]!.rv;
    // Dropped changes leave the array in batches: shifting one at a time moves the whole log.
    if (this.logStart > 1024 && this.logStart * 2 > this.log.length) {
      this.log.splice(0, this.logStart);
      this.logStart = 0;
    }
    for (const listener of [...this.listeners]) listener(change);
  }
}
