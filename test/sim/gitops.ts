// Argo CD Application and Flux Kustomization sync, emulated: the source is a local git
// repository; a sync resolves the revision, renders the path at that commit with the real
// kustomize (git-render.ts), applies the result to the simulated cluster and writes the status
// fields those controllers write. A render failure leaves the cluster alone and reports it.
//
// Triggers: GitOps.sync() / syncAll(); an Application `operation` (what `argocd app sync`
// sets) or the argocd.argoproj.io/refresh annotation; a Flux reconcile.fluxcd.io/requestedAt
// annotation (what `flux reconcile` sets); and polling on the simulated clock: every
// spec.interval for a Kustomization, every refreshSeconds for an Application with
// syncPolicy.automated (a new commit is synced, otherwise only the status is refreshed).
import { applyManifests } from "./apply.ts";
import { resourceHealth, worst, type Health } from "./argo-health.ts";
import type { SimClock } from "./clock.ts";
import { getCondition } from "./conditions.ts";
import { git, localRepoPath, renderAt, resolveRevision } from "./git-render.ts";
import { isRecord } from "./json.ts";
import { splitApiVersion } from "./resources.ts";
import type { ObjectRef, ObjectStore } from "./store.ts";
import { refOf } from "./store.ts";
import type { Condition, KubeObject } from "./types.ts";

export const APPLICATION = { apiVersion: "argoproj.io/v1alpha1", kind: "Application" } as const;
export const KUSTOMIZATION = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" } as const;
export const GIT_REPOSITORY = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" } as const;

export interface SyncTarget {
  kind: "Application" | "Kustomization";
  namespace?: string;
  name: string;
}

export interface SyncResult {
  ok: boolean;
  /** The commit sha that was rendered (when it could be resolved). */
  sha?: string;
  /** Argo: the sha; Flux: e.g. main@sha1:<sha>. */
  revision?: string;
  message: string;
  applied: number;
}

interface ArgoSource {
  repoURL: string;
  path?: string;
  targetRevision?: string;
}

interface Application extends KubeObject {
  spec: {
    source?: ArgoSource;
    sources?: ArgoSource[];
    destination?: { namespace?: string; server?: string; name?: string };
    syncPolicy?: { automated?: { prune?: boolean; selfHeal?: boolean } | null };
  };
  operation?: { sync?: { revision?: string; prune?: boolean }; initiatedBy?: Record<string, unknown> };
  status?: Record<string, unknown>;
}

interface Kustomization extends KubeObject {
  spec: {
    interval?: string;
    path?: string;
    prune?: boolean;
    suspend?: boolean;
    targetNamespace?: string;
    sourceRef: { kind: string; name: string; namespace?: string };
  };
  status?: Record<string, unknown>;
}

interface GitRepository extends KubeObject {
  spec: { url: string; interval?: string; ref?: { branch?: string; tag?: string; commit?: string; name?: string } };
  status?: Record<string, unknown>;
}

export interface GitOpsOptions {
  /** How often an automated Application looks for new commits (Argo CD's default: 180 s). */
  argoRefreshSeconds?: number;
}

/** Go duration ("10m", "1m30s", "45s", "1h") in ms. */
export function parseDuration(text: string | undefined, fallbackMs: number): number {
  if (!text) return fallbackMs;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  let matched = false;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(m[1]) * (units[m[2] ?? "s"] ?? 1000);
    matched = true;
  }
  return matched ? total : fallbackMs;
}

function managedRef(entry: Record<string, unknown>): ObjectRef {
  const group = String(entry["group"] ?? "");
  const version = String(entry["version"] ?? "v1");
  const ref: ObjectRef = { apiVersion: group ? `${group}/${version}` : version, kind: String(entry["kind"]), name: String(entry["name"]) };
  if (entry["namespace"]) ref.namespace = String(entry["namespace"]);
  return ref;
}

export class GitOps {
  private readonly store: ObjectStore;
  private readonly clock: SimClock;
  private readonly argoRefreshMs: number;
  private readonly nextPoll = new Map<string, number>();

  constructor(store: ObjectStore, clock: SimClock, options: GitOpsOptions = {}) {
    this.store = store;
    this.clock = clock;
    this.argoRefreshMs = (options.argoRefreshSeconds ?? 180) * 1000;
  }

  /** Syncs one Application or Kustomization now. */
  sync(target: SyncTarget, options: { revision?: string } = {}): SyncResult {
    const namespace = target.namespace ?? (target.kind === "Application" ? "argocd" : "flux-system");
    if (target.kind === "Application") {
      const app = this.store.get<Application>({ ...APPLICATION, namespace, name: target.name });
      if (!app) throw new Error(`Application ${namespace}/${target.name} not found`);
      return this.syncApplication(app, options.revision);
    }
    const ks = this.store.get<Kustomization>({ ...KUSTOMIZATION, namespace, name: target.name });
    if (!ks) throw new Error(`Kustomization ${namespace}/${target.name} not found`);
    return this.syncKustomization(ks, options.revision);
  }

  /** Syncs every Application and Kustomization. */
  syncAll(): SyncResult[] {
    return [
      ...this.store.list<Application>(APPLICATION).map((a) => this.syncApplication(a)),
      ...this.store.list<Kustomization>(KUSTOMIZATION).map((k) => this.syncKustomization(k)),
    ];
  }

  /** Driver hook: runs due triggers and keeps Application health current. */
  tick(): number | undefined {
    const now = this.clock.now();
    let wake: number | undefined;
    const due = (uid: string, intervalMs: number): boolean => {
      const at = this.nextPoll.get(uid);
      if (at === undefined || at <= now) {
        this.nextPoll.set(uid, now + intervalMs);
        return true;
      }
      return false;
    };
    const noteWake = (uid: string): void => {
      const at = this.nextPoll.get(uid);
      if (at !== undefined) wake = wake === undefined ? at : Math.min(wake, at);
    };

    for (const app of this.store.list<Application>(APPLICATION)) {
      const uid = app.metadata.uid ?? "";
      const refresh = app.metadata.annotations?.["argocd.argoproj.io/refresh"];
      const automated = isRecord(app.spec.syncPolicy?.automated);
      if (app.operation) {
        this.syncApplication(app, app.operation.sync?.revision);
      } else if (refresh) {
        this.store.mutate<Application>(refOf(app), (a) => {
          delete a.metadata.annotations?.["argocd.argoproj.io/refresh"];
        });
        this.refreshApplication(this.store.get<Application>(refOf(app)) ?? app, automated);
      } else if (due(uid, this.argoRefreshMs)) {
        this.refreshApplication(app, automated);
      } else {
        this.updateApplicationHealth(app);
      }
      noteWake(uid);
    }
    for (const ks of this.store.list<Kustomization>(KUSTOMIZATION)) {
      const uid = ks.metadata.uid ?? "";
      if (ks.spec.suspend) continue;
      const requested = ks.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"];
      const handled = ks.status?.["lastHandledReconcileAt"];
      const interval = parseDuration(ks.spec.interval, 600_000);
      if ((requested && requested !== handled) || due(uid, interval)) {
        this.nextPoll.set(uid, now + interval);
        this.syncKustomization(ks);
      }
      noteWake(uid);
    }
    return wake;
  }

  // --- Argo CD -------------------------------------------------------------------------

  private sourceOf(app: Application): ArgoSource | undefined {
    return app.spec.source ?? app.spec.sources?.[0];
  }

  private refreshApplication(app: Application, automated: boolean): void {
    const source = this.sourceOf(app);
    if (!source) return;
    let sha: string | undefined;
    try {
      sha = resolveRevision(localRepoPath(source.repoURL), source.targetRevision || "HEAD");
    } catch {
      sha = undefined;
    }
    const sync = (app.status?.["sync"] ?? {}) as Record<string, unknown>;
    const lastAttempt = ((app.status?.["operationState"] ?? {}) as { syncResult?: { revision?: string } }).syncResult?.revision;
    if (automated && sha && sha !== sync["revision"] && sha !== lastAttempt) {
      this.syncApplication(app, undefined, { automated: true });
      return;
    }
    if (automated && sha && sync["status"] !== "Synced" && sha !== lastAttempt) {
      this.syncApplication(app, undefined, { automated: true });
      return;
    }
    this.store.mutate<Application>(refOf(app), (a) => {
      const status = { ...a.status };
      const current = (status["sync"] ?? {}) as Record<string, unknown>;
      if (sha && current["revision"] !== sha)
        status["sync"] = { ...current, status: "OutOfSync", revision: sha, comparedTo: this.comparedTo(a) };
      status["reconciledAt"] = this.clock.iso();
      status["health"] = this.applicationHealth(a);
      a.status = status;
    });
  }

  private comparedTo(app: Application): Record<string, unknown> {
    return { source: this.sourceOf(app), destination: app.spec.destination ?? {} };
  }

  private applicationHealth(app: Application): Health & { lastTransitionTime?: string } {
    const resources = (app.status?.["resources"] ?? []) as Record<string, unknown>[];
    if (resources.length === 0) return { status: "Healthy" };
    const healths = resources.map((r) => resourceHealth(this.store.get(managedRef(r))));
    const status = worst(healths.map((h) => h.status));
    const previous = app.status?.["health"] as { status?: string; lastTransitionTime?: string } | undefined;
    const lastTransitionTime = previous?.status === status && previous.lastTransitionTime ? previous.lastTransitionTime : this.clock.iso();
    return { status, lastTransitionTime };
  }

  private updateApplicationHealth(app: Application): void {
    const resources = (app.status?.["resources"] ?? []) as Record<string, unknown>[];
    this.store.mutate<Application>(refOf(app), (a) => {
      const status = { ...a.status };
      status["health"] = this.applicationHealth(a);
      status["resources"] = resources.map((r) => {
        const health = resourceHealth(this.store.get(managedRef(r)));
        return { ...r, health: health.message ? { status: health.status, message: health.message } : { status: health.status } };
      });
      a.status = status;
    });
  }

  private syncApplication(app: Application, revision?: string, initiatedBy: Record<string, unknown> = { username: "admin" }): SyncResult {
    const source = this.sourceOf(app);
    const startedAt = this.clock.iso();
    const by = app.operation?.initiatedBy ?? initiatedBy;
    const requested = revision ?? source?.targetRevision ?? "HEAD";
    const fail = (message: string, sha?: string): SyncResult => {
      this.store.mutate<Application>(refOf(app), (a) => {
        delete a.operation;
        const status = { ...a.status };
        // Argo CD's application conditions carry type, message and time (no status).
        status["conditions"] = [{ type: "ComparisonError", message, lastTransitionTime: startedAt }];
        status["sync"] = {
          status: "Unknown",
          revision: sha ?? (status["sync"] as { revision?: string } | undefined)?.revision,
          comparedTo: this.comparedTo(a),
        };
        status["operationState"] = {
          operation: { sync: { revision: sha ?? requested }, initiatedBy: by, retry: {} },
          phase: "Failed",
          message: `ComparisonError: ${message}`,
          startedAt,
          finishedAt: this.clock.iso(),
          syncResult: { revision: sha ?? requested, source, resources: [] },
        };
        status["reconciledAt"] = this.clock.iso();
        status["health"] = this.applicationHealth(a);
        a.status = status;
      });
      const result: SyncResult = { ok: false, message, applied: 0 };
      if (sha) {
        result.sha = sha;
        result.revision = sha;
      }
      return result;
    };
    if (!source) return fail("application spec has no source");
    const repo = localRepoPath(source.repoURL);
    let sha: string;
    try {
      sha = resolveRevision(repo, requested);
    } catch {
      return fail(
        `Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = Unable to resolve '${requested}' to a commit SHA`,
      );
    }
    const path = source.path ?? ".";
    const rendered = renderAt(repo, sha, path);
    if (!rendered.ok) {
      return fail(
        `Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = \`${rendered.command}\` failed exit status 1: ${rendered.error}`,
        sha,
      );
    }
    const destinationNamespace = app.spec.destination?.namespace ?? "default";
    let applied;
    try {
      applied = applyManifests(this.store, rendered.objects, {
        namespace: destinationNamespace,
        labels: { "app.kubernetes.io/instance": app.metadata.name },
      });
    } catch (error) {
      return fail(`one or more objects failed to apply, reason: ${error instanceof Error ? error.message : String(error)}`, sha);
    }
    const resources = applied.map(({ object }) => {
      const { group, version } = splitApiVersion(object.apiVersion);
      const entry: Record<string, unknown> = { group, version, kind: object.kind, name: object.metadata.name, status: "Synced" };
      if (object.metadata.namespace) entry["namespace"] = object.metadata.namespace;
      return entry;
    });
    const prune = app.operation?.sync?.prune ?? (isRecord(app.spec.syncPolicy?.automated) && app.spec.syncPolicy.automated.prune === true);
    if (prune) this.prune((app.status?.["resources"] ?? []) as Record<string, unknown>[], resources);
    const images = new Set<string>();
    for (const { object } of applied) {
      const template = (object.spec as { template?: { spec?: { containers?: { image: string }[] } } } | undefined)?.template;
      for (const c of template?.spec?.containers ?? []) images.add(c.image);
    }
    const finishedAt = this.clock.iso();
    this.store.mutate<Application>(refOf(app), (a) => {
      delete a.operation;
      const status = { ...a.status };
      delete status["conditions"];
      const history = ((status["history"] ?? []) as Record<string, unknown>[]).slice(-9);
      history.push({ revision: sha, deployedAt: finishedAt, deployStartedAt: startedAt, id: history.length, source, initiatedBy: by });
      status["history"] = history;
      status["sync"] = { status: "Synced", revision: sha, comparedTo: this.comparedTo(a) };
      status["operationState"] = {
        operation: { sync: { revision: sha }, initiatedBy: by, retry: {} },
        phase: "Succeeded",
        message: "successfully synced (all tasks run)",
        startedAt,
        finishedAt,
        syncResult: {
          revision: sha,
          source,
          resources: applied.map(({ object, action }) => {
            const { group, version } = splitApiVersion(object.apiVersion);
            return {
              group,
              version,
              kind: object.kind,
              namespace: object.metadata.namespace ?? "",
              name: object.metadata.name,
              status: "Synced",
              message: `${object.kind.toLowerCase()}${group ? `.${group}` : ""}/${object.metadata.name} ${action}`,
              hookPhase: "Running",
              syncPhase: "Sync",
            };
          }),
        },
      };
      status["resources"] = resources;
      status["summary"] = { images: [...images].sort() };
      status["sourceType"] = "Kustomize";
      status["reconciledAt"] = finishedAt;
      a.status = status;
      a.status["health"] = this.applicationHealth(a);
    });
    return { ok: true, sha, revision: sha, message: "successfully synced (all tasks run)", applied: applied.length };
  }

  private prune(previous: Record<string, unknown>[], current: Record<string, unknown>[]): void {
    const keep = new Set(current.map((r) => JSON.stringify(managedRef(r))));
    for (const entry of previous) {
      const ref = managedRef(entry);
      if (keep.has(JSON.stringify(ref))) continue;
      if (this.store.get(ref)) this.store.delete(ref);
    }
  }

  // --- Flux ----------------------------------------------------------------------------

  private syncKustomization(ks: Kustomization, revisionOverride?: string): SyncResult {
    const now = this.clock.iso();
    const requested = ks.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"];
    const setStatus = (ready: Condition, extra: Record<string, unknown>): void => {
      this.store.mutate<Kustomization>(refOf(ks), (k) => {
        const status: Record<string, unknown> = { ...k.status, ...extra, observedGeneration: k.metadata.generation ?? 1 };
        if (requested) status["lastHandledReconcileAt"] = requested;
        const previous = getCondition(status["conditions"] as Condition[] | undefined, "Ready");
        const condition: Condition = {
          ...ready,
          observedGeneration: k.metadata.generation ?? 1,
          lastTransitionTime: previous && previous.status === ready.status ? (previous.lastTransitionTime ?? now) : now,
        };
        status["conditions"] = [condition];
        k.status = status;
      });
    };
    const sourceNamespace = ks.spec.sourceRef.namespace ?? ks.metadata.namespace;
    const source = this.store.get<GitRepository>({ ...GIT_REPOSITORY, namespace: sourceNamespace, name: ks.spec.sourceRef.name });
    if (!source || ks.spec.sourceRef.kind !== "GitRepository") {
      const message = `Source '${ks.spec.sourceRef.kind}/${sourceNamespace}/${ks.spec.sourceRef.name}' not found`;
      setStatus({ type: "Ready", status: "False", reason: "ArtifactFailed", message }, {});
      return { ok: false, message, applied: 0 };
    }
    const repo = localRepoPath(source.spec.url);
    const ref = source.spec.ref ?? {};
    let refName: string | undefined;
    let spec: string;
    if (revisionOverride) {
      spec = revisionOverride;
    } else if (ref.commit) {
      spec = ref.commit;
    } else if (ref.tag) {
      spec = ref.tag;
      refName = ref.tag;
    } else {
      refName = ref.branch ?? safeCurrentBranch(repo);
      spec = refName;
    }
    let sha: string;
    try {
      sha = resolveRevision(repo, spec);
    } catch {
      const message = `failed to checkout and determine revision: unable to resolve '${spec}' in ${source.spec.url}`;
      this.markSource(source, { type: "Ready", status: "False", reason: "GitOperationFailed", message }, undefined);
      setStatus({ type: "Ready", status: "False", reason: "ArtifactFailed", message: `Source artifact not found, retrying in 30s` }, {});
      return { ok: false, message, applied: 0 };
    }
    const revision = revisionOverride ? `sha1:${sha}` : refName ? `${refName}@sha1:${sha}` : `sha1:${sha}`;
    this.markSource(
      source,
      { type: "Ready", status: "True", reason: "Succeeded", message: `stored artifact for revision '${revision}'` },
      revision,
    );
    const rendered = renderAt(repo, sha, ks.spec.path ?? "./");
    if (!rendered.ok) {
      const message = `kustomize build failed: ${rendered.error}`;
      setStatus({ type: "Ready", status: "False", reason: "BuildFailed", message }, { lastAttemptedRevision: revision });
      return { ok: false, sha, revision, message, applied: 0 };
    }
    let applied;
    try {
      const options: Parameters<typeof applyManifests>[2] = {
        labels: {
          "kustomize.toolkit.fluxcd.io/name": ks.metadata.name,
          "kustomize.toolkit.fluxcd.io/namespace": ks.metadata.namespace ?? "",
        },
      };
      if (ks.spec.targetNamespace) options.targetNamespace = ks.spec.targetNamespace;
      applied = applyManifests(this.store, rendered.objects, options);
    } catch (error) {
      const message = `apply failed: ${error instanceof Error ? error.message : String(error)}`;
      setStatus({ type: "Ready", status: "False", reason: "ReconciliationFailed", message }, { lastAttemptedRevision: revision });
      return { ok: false, sha, revision, message, applied: 0 };
    }
    const entries = applied.map(({ object }) => {
      const { group } = splitApiVersion(object.apiVersion);
      return {
        id: `${object.metadata.namespace ?? ""}_${object.metadata.name}_${group}_${object.kind}`,
        v: splitApiVersion(object.apiVersion).version,
      };
    });
    if (ks.spec.prune) {
      const previous = ((ks.status?.["inventory"] as { entries?: { id: string; v: string }[] } | undefined)?.entries ?? []).filter(
        (e) => !entries.some((n) => n.id === e.id),
      );
      for (const e of previous) {
        const [namespace, name, group, kind] = e.id.split("_");
        const objectRef: ObjectRef = { apiVersion: group ? `${group}/${e.v}` : e.v, kind: kind ?? "", name: name ?? "" };
        if (namespace) objectRef.namespace = namespace;
        if (this.store.get(objectRef)) this.store.delete(objectRef);
      }
    }
    setStatus(
      { type: "Ready", status: "True", reason: "ReconciliationSucceeded", message: `Applied revision: ${revision}` },
      { lastAppliedRevision: revision, lastAttemptedRevision: revision, inventory: { entries } },
    );
    return { ok: true, sha, revision, message: `Applied revision: ${revision}`, applied: applied.length };
  }

  private markSource(source: GitRepository, ready: Condition, revision: string | undefined): void {
    const now = this.clock.iso();
    this.store.mutate<GitRepository>(refOf(source), (g) => {
      const status: Record<string, unknown> = { ...g.status, observedGeneration: g.metadata.generation ?? 1 };
      if (revision) {
        status["artifact"] = {
          revision,
          lastUpdateTime: now,
          path: `gitrepository/${g.metadata.namespace}/${g.metadata.name}/${revision.split(":").at(-1)}.tar.gz`,
          url: `http://source-controller.flux-system.svc.cluster.local./gitrepository/${g.metadata.namespace}/${g.metadata.name}/latest.tar.gz`,
        };
      }
      status["conditions"] = [{ ...ready, observedGeneration: g.metadata.generation ?? 1, lastTransitionTime: now }];
      g.status = status;
    });
  }
}

function safeCurrentBranch(repo: string): string {
  try {
    return git(repo, ["symbolic-ref", "--short", "HEAD"]);
  } catch {
    return "main";
  }
}
