import { DEFAULT_SLACK_SECONDS } from "../health/probe-window.ts";
import { maskedMarker } from "./secret-masking.ts";
import { defaultSecretKeyWords, maskedValue, namesASecret, sensitiveValues } from "./secret-values.ts";
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../k8s/manifest-types.ts";
import { isDeployment } from "../k8s/manifest-types.ts";
import { findings as findingsOf, type Finding } from "./findings.ts";
import { findingRule } from "./finding-rules.ts";
import { describeHold, heldBy } from "../environments/held-images.ts";
import type { EnvironmentFile } from "../environments/schema.ts";
import type { FindingPolicy } from "../environments/finding-policy.ts";
import { manifestDiff } from "./manifest-diff.ts";
import { scopeFindings } from "./finding-scope.ts";
import type { EnvironmentPlan, Plan, WorkloadRollout } from "./plan-types.ts";
import { rolloutShape } from "./rollout-shape.ts";
import { rolloutTiming } from "./probe-timing.ts";
import type { RenderedEnvironment, RenderedSnapshot } from "./rendered-snapshot.ts";
import { workloadChanges } from "./workload-changes.ts";

/**
 * The rollout plan: a pure function of the rendered base and head trees. Lists the environments
 * whose rendered output changes, or whose file is broken at head; names the others as unchanged.
 */
export function buildPlan(
  base: RenderedSnapshot,
  head: RenderedSnapshot,
  labels: { base: string; head: string },
  options: PlanOptions = {},
): Plan {
  const names = [...new Set([...base.environments.keys(), ...head.environments.keys()])].sort();
  const unchanged: string[] = [];
  const environments = names.flatMap((name) => {
    const plan = environmentPlan(base.environments.get(name), head.environments.get(name), options);
    if (!plan) unchanged.push(name);
    return plan ? [plan] : [];
  });
  const blocking = environments.some(
    (e) => e.status === "invalid" || e.status === "render-failed" || e.findings.some((f) => f.severity === "blocking"),
  );
  return { base: labels.base, head: labels.head, environments, unchanged, blocking };
}

export interface PlanOptions {
  /** Report the findings on workloads the change leaves as they are too (`kustodian plan --all`); default: only count them. */
  allFindings?: boolean;
  /** Words that make a key name a secret's (src/plan/secret-values.ts secretKeyWords); default: the built-in ones. */
  secretWords?: readonly string[];
}

function environmentPlan(
  before: RenderedEnvironment | undefined,
  after: RenderedEnvironment | undefined,
  options: PlanOptions,
): EnvironmentPlan | undefined {
  const secretWords = options.secretWords ?? defaultSecretKeyWords;
  const current = after ?? before!;
  const plan: EnvironmentPlan = {
    name: current.name,
    file: current.file,
    ...(current.overlay ? { overlay: current.overlay } : {}),
    status: "changed",
    production: after?.env?.production ?? before?.env?.production ?? false,
    problems: after?.problems ?? [],
    staleOverlay: after?.staleOverlay ?? false,
    changes: [],
    rollouts: [],
    findings: [],
    diff: "",
  };
  const sync = after?.env?.sync ?? before?.env?.sync;
  if (sync) plan.sync = sync;
  if (after?.lifted?.length) plan.lifted = after.lifted;

  if (after && after.problems.length > 0) return { ...plan, status: "invalid" };
  if (after?.renderError !== undefined) return { ...plan, status: "render-failed", renderError: after.renderError };
  if (before?.unchanged && after?.unchanged) return undefined;

  const baseObjects = (before?.objects ?? []) as KubeObject[];
  const headObjects = (after?.objects ?? []) as KubeObject[];
  if (before?.objects && after?.objects && isDeepStrictEqual(baseObjects, headObjects)) return undefined;

  plan.status = !after ? "removed" : !before?.objects ? "added" : "changed";
  // Secret values and secret-named config/env values, masked wherever they show up in the plan.
  const hidden = sensitiveValues([...baseObjects, ...headObjects], secretWords);
  plan.changes = workloadChanges(baseObjects, headObjects).map((c) =>
    c.category === "config" || c.category === "env"
      ? { ...c, from: maskedChange(c.field, c.from, hidden, secretWords), to: maskedChange(c.field, c.to, hidden, secretWords) }
      : c,
  );
  plan.diff = manifestDiff(baseObjects, headObjects, secretWords);
  if (!after) return plan;

  const slackSeconds = after.env?.policy?.slackSeconds ?? DEFAULT_SLACK_SECONDS;
  plan.rollouts = rollingDeployments(baseObjects, headObjects).map((d): WorkloadRollout => ({
    workload: d.metadata.name,
    shape: rolloutShape(d),
    timing: rolloutTiming(d, { slackSeconds }),
  }));
  const policy = after.env?.policy?.findings as FindingPolicy | undefined;
  const findings = [
    ...heldImageFindings(plan.name, after.env, policy),
    ...findingsOf(headObjects, {
      environment: plan.name,
      production: plan.production,
      ...(policy ? { policy } : {}),
      ...(before?.objects ? { baseObjects } : {}),
    }),
  ];
  const scoped = scopeFindings(findings, baseObjects, headObjects);
  plan.findings = options.allFindings ? findings : scoped.changed;
  if (!options.allFindings && scoped.unchanged.length) plan.findingsOnUnchangedWorkloads = scoped.unchanged;
  return plan;
}

/** Images the environment file sets that a revert put on its `held` list (issue 7). */
function heldImageFindings(environment: string, env: EnvironmentFile | undefined, policy: FindingPolicy | undefined): Finding[] {
  const severity = policy?.["held-image"] ?? findingRule("held-image").defaultSeverity;
  if (!env?.held?.length || severity === "off") return [];
  return Object.entries(env.workloads).flatMap(([workload, w]) => {
    const entry = [w.image, ...Object.values(w.containers ?? {}).map((c) => c.image)]
      .flatMap((image) => (image ? [heldBy(env.held, image)] : []))
      .find(Boolean);
    if (!entry) return [];
    return [
      {
        id: "held-image" as const,
        severity,
        environment,
        workload,
        kind: "Deployment" as const,
        namespace: env.namespace,
        message: describeHold(entry, environment),
        why: findingRule("held-image").why,
      },
    ];
  });
}

/** Deployments whose pod template changes (new pods roll out); a replicas-only change just scales. */
function rollingDeployments(baseObjects: readonly KubeObject[], headObjects: readonly KubeObject[]) {
  return headObjects
    .filter(isDeployment)
    .filter((d) => {
      const old = baseObjects
        .filter(isDeployment)
        .find((b) => b.metadata.name === d.metadata.name && b.metadata.namespace === d.metadata.namespace);
      return !old || !isDeepStrictEqual(old.spec.template, d.spec.template);
    })
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

/** A config or env change's value as the plan shows it: masked when its key names a secret or it carries a Secret's value. */
function maskedChange<T>(field: string, value: T, hidden: ReadonlySet<string>, words: readonly string[]): T {
  const key = field.split(".").at(-1) ?? field;
  if (value !== undefined && value !== null && namesASecret(key, words)) return maskedMarker as T;
  return typeof value === "string" ? (maskedValue(value, hidden) as T) : value;
}
