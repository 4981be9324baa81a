import { isDeepStrictEqual } from "node:util";
import type { Container, HorizontalPodAutoscaler, KubeObject, PodTemplateSpec, Probe, ResourceList } from "../k8s/manifest-types.ts";
import { isConfigMap, isDeployment, isSecret } from "../k8s/manifest-types.ts";
import { unhashedName } from "./kustomize-names.ts";
import { resolvedProbe } from "../k8s/probe-defaults.ts";
import { quantityNanos } from "./quantity.ts";
import { effectiveSecretValues, changedMarker, maskedMarker } from "./secret-masking.ts";
import type { PodWorkload } from "./workloads.ts";
import { autoscalerFor, podWorkloads } from "./workloads.ts";

export type ChangeValue = string | number | boolean | null;

export type ChangeCategory =
  "workload" | "image" | "replicas" | "autoscaling" | "resources" | "config" | "env" | "probe" | "strategy" | "template";

export interface WorkloadChange {
  /** The workload's name: "wordpress". */
  workload: string;
  namespace: string | undefined;
  /** Kind of the object the change is in: the workload's kind, or HorizontalPodAutoscaler, ConfigMap, Secret. */
  kind: string;
  category: ChangeCategory;
  /** Where, for people: "replicas", "containers.wordpress.image", "config.wordpress-config.WORDPRESS_TABLE_PREFIX". */
  field: string;
  /**
   * null when the field is absent on that side. Secret values are never shown, only masked markers.
   * A workload added or removed is one change: field "workload", from null, to "added" or "removed".
   */
  from: ChangeValue;
  to: ChangeValue;
  /** The change alters the pod template, so the pods are replaced. */
  rolls: boolean;
  note?: string;
}

const probeKinds = ["readinessProbe", "livenessProbe", "startupProbe"] as const;
const probeTimingFields = ["initialDelaySeconds", "periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold"] as const;
const secretLikeEnvName = /PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL/i;
const shownValueLength = 80;
/** Container fields with their own category; every other field is compared generically. */
const containerFieldsCompared = new Set(["name", "image", "resources", "env", "envFrom", ...probeKinds]);

type ChangeDraft = Omit<WorkloadChange, "workload" | "namespace" | "kind"> & { kind?: string };

function shown(value: unknown): ChangeValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "number" || typeof value === "boolean") return value;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const firstLine = text.split("\n", 1)[0] ?? "";
  return firstLine.length > shownValueLength || firstLine.length < text.length ? `${firstLine.slice(0, shownValueLength)}…` : text;
}

function byName<T extends { name: string }>(items: readonly T[] | undefined): Map<string, T> {
  return new Map((items ?? []).map((item) => [item.name, item]));
}

function probeSummary(probe: Probe): string {
  const p = resolvedProbe(probe);
  return `${probeHandler(probe)} (delay ${p.initialDelaySeconds}s, every ${p.periodSeconds}s, timeout ${p.timeoutSeconds}s, success ${p.successThreshold}, failure ${p.failureThreshold})`;
}

function probeHandler(probe: Probe): string {
  if (probe.httpGet !== undefined) return `httpGet ${probe.httpGet.path ?? "/"} :${String(probe.httpGet.port ?? "")}`;
  if (probe.tcpSocket !== undefined) return `tcpSocket :${String(probe.tcpSocket.port ?? "")}`;
  if (probe.grpc !== undefined) return `grpc :${String(probe.grpc.port ?? "")}`;
  if (probe.exec !== undefined) return `exec ${(probe.exec.command ?? []).join(" ")}`;
  return "no handler";
}

function probeChanges(prefix: string, before: Container, after: Container): ChangeDraft[] {
  const changes: ChangeDraft[] = [];
  for (const kind of probeKinds) {
    const was = before[kind];
    const is = after[kind];
    const field = `${prefix}.${kind}`;
    if (was === undefined && is === undefined) continue;
    if (was === undefined || is === undefined) {
      changes.push({
        category: "probe",
        field,
        from: was === undefined ? null : probeSummary(was),
        to: is === undefined ? null : probeSummary(is),
        rolls: true,
      });
      continue;
    }
    if (probeHandler(was) !== probeHandler(is)) {
      changes.push({ category: "probe", field: `${field}.handler`, from: probeHandler(was), to: probeHandler(is), rolls: true });
    }
    const old = resolvedProbe(was);
    const now = resolvedProbe(is);
    for (const timing of probeTimingFields) {
      if (old[timing] !== now[timing])
        changes.push({ category: "probe", field: `${field}.${timing}`, from: old[timing], to: now[timing], rolls: true });
    }
  }
  return changes;
}

function sameQuantity(a: string | number | undefined, b: string | number | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const nanosA = quantityNanos(a);
  return nanosA !== undefined ? nanosA === quantityNanos(b) : String(a) === String(b);
}

function resourceChanges(prefix: string, before: Container, after: Container): ChangeDraft[] {
  const changes: ChangeDraft[] = [];
  for (const side of ["requests", "limits"] as const) {
    const was: ResourceList = before.resources?.[side] ?? {};
    const is: ResourceList = after.resources?.[side] ?? {};
    for (const resource of new Set([...Object.keys(was), ...Object.keys(is)])) {
      if (sameQuantity(was[resource], is[resource])) continue;
      changes.push({
        category: "resources",
        field: `${prefix}.resources.${side}.${resource}`,
        from: shown(was[resource]),
        to: shown(is[resource]),
        rolls: true,
      });
    }
  }
  return changes;
}

/** Literal env values; references are compared through the config they point at. */
function envChanges(prefix: string, before: Container, after: Container): ChangeDraft[] {
  const changes: ChangeDraft[] = [];
  const was = byName(before.env);
  const is = byName(after.env);
  for (const name of new Set([...was.keys(), ...is.keys()])) {
    const old = was.get(name);
    const now = is.get(name);
    const oldShape = old && normalizedRefs(old);
    const newShape = now && normalizedRefs(now);
    if (isDeepStrictEqual(oldShape, newShape)) continue;
    // A literal that looks like a secret is still a secret: show that it changed, not what it is.
    const display = (variable: typeof old): ChangeValue => {
      if (variable === undefined) return null;
      if (variable.value !== undefined) return secretLikeEnvName.test(name) ? maskedMarker : shown(variable.value);
      return shown(normalizedRefs(variable.valueFrom));
    };
    const to = display(now);
    changes.push({
      category: "env",
      field: `${prefix}.env.${name}`,
      from: display(old),
      to: to === maskedMarker && old !== undefined ? changedMarker : to,
      rolls: true,
    });
  }
  return changes;
}

/** The pod template with generated ConfigMap/Secret names un-hashed, so only real differences remain. */
function normalizedRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(normalizedRefs) as T;
  if (typeof value !== "object" || value === null) return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === "configMapKeyRef" || key === "configMapRef" || key === "configMap") result[key] = unhashedRef(child, "ConfigMap", "name");
    else if (key === "secretKeyRef" || key === "secretRef") result[key] = unhashedRef(child, "Secret", "name");
    else if (key === "secret") result[key] = unhashedRef(unhashedRef(child, "Secret", "secretName"), "Secret", "name");
    else result[key] = normalizedRefs(child);
  }
  return result as T;
}

function unhashedRef(value: unknown, kind: string, nameField: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return normalizedRefs(value);
  const copy = normalizedRefs(value) as Record<string, unknown>;
  const name = copy[nameField];
  if (typeof name === "string") copy[nameField] = unhashedName(kind, name);
  return copy;
}

function containerChanges(
  prefix: "containers" | "initContainers",
  before: readonly Container[] | undefined,
  after: readonly Container[] | undefined,
): ChangeDraft[] {
  const changes: ChangeDraft[] = [];
  const was = byName(before);
  const is = byName(after);
  for (const name of new Set([...was.keys(), ...is.keys()])) {
    const old = was.get(name);
    const now = is.get(name);
    const path = `${prefix}.${name}`;
    if (old === undefined || now === undefined) {
      changes.push({
        category: "image",
        field: path,
        from: shown(old?.image),
        to: shown(now?.image),
        rolls: true,
        note: old === undefined ? "container added" : "container removed",
      });
      continue;
    }
    if (old.image !== now.image)
      changes.push({ category: "image", field: `${path}.image`, from: shown(old.image), to: shown(now.image), rolls: true });
    changes.push(...resourceChanges(path, old, now), ...envChanges(path, old, now), ...probeChanges(path, old, now));
    for (const key of new Set([...Object.keys(old), ...Object.keys(now)])) {
      if (containerFieldsCompared.has(key)) continue;
      const a = normalizedRefs((old as unknown as Record<string, unknown>)[key]);
      const b = normalizedRefs((now as unknown as Record<string, unknown>)[key]);
      if (!isDeepStrictEqual(a, b))
        changes.push({ category: "template", field: `${path}.${key}`, from: shown(a), to: shown(b), rolls: true });
    }
  }
  return changes;
}

/** Pod spec and template metadata fields outside the containers. */
function otherTemplateChanges(before: PodTemplateSpec, after: PodTemplateSpec): ChangeDraft[] {
  const changes: ChangeDraft[] = [];
  const specBefore = before.spec as unknown as Record<string, unknown>;
  const specAfter = after.spec as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(specBefore), ...Object.keys(specAfter)])) {
    if (key === "containers" || key === "initContainers") continue;
    const a = normalizedRefs(specBefore[key]);
    const b = normalizedRefs(specAfter[key]);
    if (!isDeepStrictEqual(a, b)) changes.push({ category: "template", field: key, from: shown(a), to: shown(b), rolls: true });
  }
  for (const key of ["labels", "annotations"] as const) {
    const a = before.metadata?.[key] ?? {};
    const b = after.metadata?.[key] ?? {};
    for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (a[name] !== b[name])
        changes.push({ category: "template", field: `template.${key}.${name}`, from: shown(a[name]), to: shown(b[name]), rolls: true });
    }
  }
  return changes;
}

interface ConfigRef {
  kind: "ConfigMap" | "Secret";
  name: string;
}

/** ConfigMaps and Secrets the pod template reads, by env, envFrom and volumes. */
function configRefs(template: PodTemplateSpec): ConfigRef[] {
  const refs: ConfigRef[] = [];
  const add = (kind: ConfigRef["kind"], name: string | undefined) => {
    if (name !== undefined && !refs.some((ref) => ref.kind === kind && ref.name === name)) refs.push({ kind, name });
  };
  for (const container of [...template.spec.containers, ...(template.spec.initContainers ?? [])]) {
    for (const variable of container.env ?? []) {
      add("ConfigMap", variable.valueFrom?.configMapKeyRef?.name);
      add("Secret", variable.valueFrom?.secretKeyRef?.name);
    }
    for (const source of container.envFrom ?? []) {
      add("ConfigMap", source.configMapRef?.name);
      add("Secret", source.secretRef?.name);
    }
  }
  for (const volume of template.spec.volumes ?? []) {
    add("ConfigMap", volume.configMap?.name);
    add("Secret", volume.secret?.secretName);
    for (const source of volume.projected?.sources ?? []) {
      add("ConfigMap", source.configMap?.name);
      add("Secret", source.secret?.name);
    }
  }
  return refs;
}

function configValues(objects: readonly KubeObject[], ref: ConfigRef, namespace: string | undefined): Map<string, string> | undefined {
  const object = objects.find(
    (candidate) =>
      candidate.kind === ref.kind && candidate.metadata.name === ref.name && (candidate.metadata.namespace ?? "") === (namespace ?? ""),
  );
  if (object === undefined) return undefined;
  if (isSecret(object)) return effectiveSecretValues(object);
  if (isConfigMap(object)) return new Map(Object.entries({ ...object.binaryData, ...object.data }));
  return undefined;
}

function configChanges(
  base: PodWorkload,
  head: PodWorkload,
  baseObjects: readonly KubeObject[],
  headObjects: readonly KubeObject[],
): ChangeDraft[] {
  const changes: ChangeDraft[] = [];
  const before = configRefs(base.template);
  const after = configRefs(head.template);
  const key = (ref: ConfigRef) => `${ref.kind}/${unhashedName(ref.kind, ref.name)}`;
  for (const id of new Set([...before.map(key), ...after.map(key)])) {
    const old = before.find((ref) => key(ref) === id);
    const now = after.find((ref) => key(ref) === id);
    const kind = (old ?? now)?.kind ?? "ConfigMap";
    const field = `config.${unhashedName(kind, (old ?? now)?.name ?? "")}`;
    if (old === undefined || now === undefined) {
      changes.push({
        kind,
        category: "config",
        field,
        from: shown(old?.name),
        to: shown(now?.name),
        rolls: true,
        note: old === undefined ? `pods start reading this ${kind}` : `pods stop reading this ${kind}`,
      });
      continue;
    }
    const renamed = old.name !== now.name;
    const was = configValues(baseObjects, old, base.namespace);
    const is = configValues(headObjects, now, head.namespace);
    const keyChanges: ChangeDraft[] = [];
    if (was !== undefined && is !== undefined) {
      for (const entry of new Set([...was.keys(), ...is.keys()])) {
        const a = was.get(entry);
        const b = is.get(entry);
        if (a === b) continue;
        const from = a === undefined ? null : kind === "Secret" ? maskedMarker : shown(a);
        const to = b === undefined ? null : kind === "Secret" ? (a === undefined ? maskedMarker : changedMarker) : shown(b);
        keyChanges.push({ kind, category: "config", field: `${field}.${entry}`, from, to, rolls: renamed });
      }
    }
    if (renamed) {
      const note = `${kind} ${old.name} → ${now.name}: the content hash changed, so the pods roll`;
      if (keyChanges.length === 0) changes.push({ kind, category: "config", field, from: old.name, to: now.name, rolls: true, note });
      else changes.push(...keyChanges.map((change) => ({ ...change, note })));
    } else {
      const note = `${kind} ${now.name} has no content hash in its name: running pods keep the old values until they restart`;
      changes.push(...keyChanges.map((change) => ({ ...change, note })));
    }
  }
  return changes;
}

function strategyOf(workload: PodWorkload): Record<string, unknown> {
  const object = workload.object;
  if (isDeployment(object)) {
    const spec = object.spec;
    const type = spec.strategy?.type ?? "RollingUpdate";
    return {
      "strategy.type": type,
      ...(type === "RollingUpdate"
        ? {
            "strategy.maxSurge": spec.strategy?.rollingUpdate?.maxSurge ?? "25%",
            "strategy.maxUnavailable": spec.strategy?.rollingUpdate?.maxUnavailable ?? "25%",
          }
        : {}),
      minReadySeconds: spec.minReadySeconds ?? 0,
      progressDeadlineSeconds: spec.progressDeadlineSeconds ?? 600,
    };
  }
  return { updateStrategy: object.spec.updateStrategy ?? null, minReadySeconds: object.spec.minReadySeconds ?? 0 };
}

function strategyChanges(base: PodWorkload, head: PodWorkload): ChangeDraft[] {
  const was = strategyOf(base);
  const is = strategyOf(head);
  return [...new Set([...Object.keys(was), ...Object.keys(is)])]
    .filter((field) => !isDeepStrictEqual(was[field], is[field]))
    .map((field) => ({ category: "strategy", field, from: shown(was[field]), to: shown(is[field]), rolls: false }));
}

function cpuTarget(hpa: HorizontalPodAutoscaler): string | null {
  if (hpa.spec.targetCPUUtilizationPercentage !== undefined) return `${hpa.spec.targetCPUUtilizationPercentage}%`;
  const target = hpa.spec.metrics?.find((metric) => metric.type === "Resource" && metric.resource?.name === "cpu")?.resource?.target;
  if (target === undefined) return null;
  if (target.averageUtilization !== undefined) return `${target.averageUtilization}%`;
  return shown(target.averageValue ?? target.value) as string | null;
}

function autoscalingChanges(base: HorizontalPodAutoscaler | undefined, head: HorizontalPodAutoscaler | undefined): ChangeDraft[] {
  const kind = "HorizontalPodAutoscaler";
  const bounds = (hpa: HorizontalPodAutoscaler) => `${hpa.spec.minReplicas ?? 1}..${hpa.spec.maxReplicas ?? "?"}`;
  if (base === undefined && head === undefined) return [];
  if (base === undefined || head === undefined) {
    return [
      {
        kind,
        category: "autoscaling",
        field: "autoscaling",
        from: base ? bounds(base) : null,
        to: head ? bounds(head) : null,
        rolls: false,
      },
    ];
  }
  const changes: ChangeDraft[] = [];
  const was = { minReplicas: base.spec.minReplicas ?? 1, maxReplicas: base.spec.maxReplicas ?? null, "target.cpu": cpuTarget(base) };
  const is = { minReplicas: head.spec.minReplicas ?? 1, maxReplicas: head.spec.maxReplicas ?? null, "target.cpu": cpuTarget(head) };
  for (const field of ["minReplicas", "maxReplicas", "target.cpu"] as const) {
    if (was[field] !== is[field])
      changes.push({ kind, category: "autoscaling", field: `autoscaling.${field}`, from: was[field], to: is[field], rolls: false });
  }
  const otherMetrics = (hpa: HorizontalPodAutoscaler) =>
    (hpa.spec.metrics ?? []).filter((metric) => !(metric.type === "Resource" && metric.resource?.name === "cpu"));
  if (!isDeepStrictEqual(otherMetrics(base), otherMetrics(head))) {
    changes.push({
      kind,
      category: "autoscaling",
      field: "autoscaling.metrics",
      from: shown(otherMetrics(base)),
      to: shown(otherMetrics(head)),
      rolls: false,
    });
  }
  return changes;
}

function changesOf(
  base: PodWorkload,
  head: PodWorkload,
  baseObjects: readonly KubeObject[],
  headObjects: readonly KubeObject[],
): ChangeDraft[] {
  const changes: ChangeDraft[] = [];
  if (base.replicas !== head.replicas) {
    changes.push({ category: "replicas", field: "replicas", from: base.replicas ?? null, to: head.replicas ?? null, rolls: false });
  }
  changes.push(
    ...autoscalingChanges(autoscalerFor(base, baseObjects), autoscalerFor(head, headObjects)),
    ...containerChanges("containers", base.template.spec.containers, head.template.spec.containers),
    ...containerChanges("initContainers", base.template.spec.initContainers, head.template.spec.initContainers),
    ...configChanges(base, head, baseObjects, headObjects),
    ...otherTemplateChanges(base.template, head.template),
    ...strategyChanges(base, head),
  );
  const order: ChangeCategory[] = [
    "workload",
    "image",
    "replicas",
    "autoscaling",
    "resources",
    "config",
    "env",
    "probe",
    "strategy",
    "template",
  ];
  return changes.sort((a, b) => order.indexOf(a.category) - order.indexOf(b.category));
}

function sameWorkload(a: PodWorkload, b: PodWorkload): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? "") === (b.namespace ?? "");
}

/**
 * What changes per workload (Deployments, StatefulSets, DaemonSets and their autoscalers)
 * between two rendered environments, field by field; workloads added and removed too.
 */
export function workloadChanges(baseObjects: readonly KubeObject[], headObjects: readonly KubeObject[]): WorkloadChange[] {
  const baseWorkloads = podWorkloads(baseObjects);
  const headWorkloads = podWorkloads(headObjects);
  const result: WorkloadChange[] = [];
  const emit = (workload: PodWorkload, drafts: ChangeDraft[]) => {
    for (const { kind, ...draft } of drafts) {
      result.push({ workload: workload.name, namespace: workload.namespace, kind: kind ?? workload.kind, ...draft });
    }
  };
  for (const head of headWorkloads) {
    const base = baseWorkloads.find((candidate) => sameWorkload(candidate, head));
    if (base === undefined) emit(head, [{ category: "workload", field: "workload", from: null, to: "added", rolls: true }]);
    else emit(head, changesOf(base, head, baseObjects, headObjects));
  }
  for (const base of baseWorkloads) {
    if (!headWorkloads.some((candidate) => sameWorkload(candidate, base))) {
      emit(base, [{ category: "workload", field: "workload", from: null, to: "removed", rolls: false }]);
    }
  }
  return result;
}
