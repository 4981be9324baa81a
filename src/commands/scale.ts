import { editEnvironmentFile, EnvironmentEditError, type FieldEdit } from "../environments/edit.ts";
import type { Workload } from "../environments/schema.ts";
import type { ScaleCommand } from "./command.ts";
import { formatEditReply, refuse, type EditPlan, type ReplyOptions } from "./edit-plan.ts";
import {
  editFailed,
  indexEnvironments,
  invalidEnvironment,
  lookupEnvironment,
  workloadsOf,
  type EnvironmentEntry,
} from "./environment-files.ts";
import { code, listOf } from "./markdown.ts";

/** The upper bound for /scale when the configuration does not set one. */
export const defaultMaxReplicas = 50;

/** An environment the PR changes, and the workloads in it that it changes (empty: not specific ones). */
export interface Touched {
  env: string;
  workloads: readonly string[];
}

export interface ScaleInput {
  command: ScaleCommand;
  /** Environment files at the PR head: path (environments/<env>.yaml) -> text. */
  environmentFiles: ReadonlyMap<string, string>;
  /** What the PR changes; the defaults for an omitted workload or environment come from here. */
  touched: readonly Touched[];
  /** Configured upper bound for N; default {@link defaultMaxReplicas}. */
  maxReplicas?: number;
}

export type ScalePlan = EditPlan<{ workload: string; replicas: number; autoscaled: boolean }>;

interface Target {
  env: string;
  workload: string;
}

const maxListedChoices = 10;

/**
 * /scale N [workload] [env], decided: the one environment file to change and how, or why not.
 *
 * Which workload: the one named, in the environment named. What is omitted defaults to what the
 * PR changes; when the PR changes nothing that fits, to every workload that fits. Exactly one
 * must remain, else the reply lists the choices as commands to copy. `/scale 6 prod` works too:
 * a lone argument that names no workload but names an environment is taken as the environment.
 *
 * Without an autoscaler, replicas is set to N. With one (`autoscaling` in the file), the
 * HorizontalPodAutoscaler owns the count, so its bounds move instead: minReplicas becomes N and
 * maxReplicas is raised to N if it is lower. A `replicas` left in the file below N is raised to
 * N as well, so the file does not contradict its own autoscaler (each sync would otherwise scale
 * down to it before the autoscaler scales up again). N = 0 under an autoscaler is refused: an
 * HPA's minReplicas must be at least 1.
 */
export function planScale(input: ScaleInput): ScalePlan {
  const { command } = input;
  const { line, replicas } = command;
  const maxReplicas = input.maxReplicas ?? defaultMaxReplicas;
  if (!Number.isSafeInteger(replicas) || replicas < 0 || replicas > maxReplicas) {
    return refuse(line, `${code(String(replicas))} replicas is out of bounds: /scale takes 0 to ${maxReplicas} (the configured maximum).`);
  }

  const environments = indexEnvironments(input.environmentFiles);
  const target = resolveTarget(command, environments, input.touched);
  if (typeof target === "string") return refuse(line, target);

  const entry = environments.get(target.env)!;
  if (!entry.parsed.ok) return refuse(line, invalidEnvironment(entry));
  const workload = entry.parsed.env.workloads[target.workload]!;
  const decided = workload.autoscaling ? autoscaledEdits(target, workload, replicas) : plainEdits(target, workload, replicas);
  if (typeof decided === "string") return refuse(line, decided);

  const detail = { workload: target.workload, replicas, autoscaled: workload.autoscaling !== undefined };
  const base = { ok: true as const, env: target.env, file: entry.file, before: entry.text, line, ...detail };
  if (decided.edits.length === 0) return { ...base, changed: false, after: entry.text, summary: decided.unchanged };
  try {
    const after = editEnvironmentFile(entry.file, entry.text, decided.edits);
    return { ...base, changed: after !== entry.text, after, summary: decided.summary };
  } catch (error) {
    if (error instanceof EnvironmentEditError) return refuse(line, editFailed(entry.file, error.message));
    throw error;
  }
}

export function formatScaleReply(plan: ScalePlan, options: ReplyOptions = {}): string {
  return formatEditReply(plan, options);
}

function resolveTarget(
  command: ScaleCommand,
  environments: ReadonlyMap<string, EnvironmentEntry>,
  touched: readonly Touched[],
): Target | string {
  const all: Target[] = [...environments.values()].flatMap((e) => workloadsOf(e).map((workload) => ({ env: e.name, workload })));
  const words = interpretWords(command, environments);
  let { workload, env } = words;
  const { app } = words;

  if (env !== undefined) {
    const entry = lookupEnvironment(environments, env, app);
    if (typeof entry === "string") return entry;
    if (!entry.parsed.ok) return invalidEnvironment(entry);
    env = entry.name;
  } else if (app !== undefined && ![...environments.values()].some((e) => e.ref.app === app)) {
    const apps = [...new Set([...environments.values()].map((e) => e.ref.app))];
    return `There is no app ${code(app)}. Apps: ${listOf(apps.map(code))}.`;
  }
  const inApp = (t: Target) => app === undefined || environments.get(t.env)?.ref.app === app;
  if (workload !== undefined && !all.some((t) => t.workload === workload && (env === undefined || t.env === env) && inApp(t))) {
    const known = [...new Set(all.filter((t) => (env === undefined || t.env === env) && inApp(t)).map((t) => t.workload))];
    const where = env === undefined ? (app === undefined ? "in any environment" : `in app ${code(app)}`) : `in ${code(env)}`;
    return `There is no workload ${code(workload)} ${where}. Workloads: ${known.length ? listOf(known.map(code)) : "none"}.`;
  }
  workload = workload ?? undefined;

  const fits = (t: Target) => (env === undefined || t.env === env) && (workload === undefined || t.workload === workload) && inApp(t);
  const fromPr = dedupe(
    touched.flatMap((t) => {
      const inFile = workloadsOf(environments.get(t.env));
      const named = t.workloads.length > 0 ? t.workloads.filter((w) => inFile.includes(w)) : inFile;
      return named.map((w) => ({ env: t.env, workload: w }));
    }),
  ).filter(fits);
  const candidates = fromPr.length > 0 ? fromPr : all.filter(fits);

  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) return "There is nothing to scale: no valid environment file has a workload.";
  const why =
    fromPr.length > 0 ? "This pull request changes more than one workload" : "This pull request changes no single workload that fits";
  const choices = candidates.slice(0, maxListedChoices).map((t) => `- ${code(`/scale ${command.replicas} ${t.workload} ${t.env}`)}`);
  if (candidates.length > maxListedChoices) choices.push(`- … and ${candidates.length - maxListedChoices} more`);
  return [`${why}; say which one:`, ...choices].join("\n");
}

type Role = "workload" | "env" | "app";

/**
 * What the words after N name. Written positionally as `[workload] [env] [app]`, but a word is
 * taken for what it can be: `/scale 6 prod` names an environment, `/scale 6 shop prod` an app and
 * an environment, `/scale 6 web shop/prod` a workload and an environment of an app. The first
 * reading (positional first) in which every word names something that exists wins; when none
 * does, the positional one (and its reply says what is unknown).
 */
function interpretWords(
  command: ScaleCommand,
  environments: ReadonlyMap<string, EnvironmentEntry>,
): { workload?: string; env?: string; app?: string } {
  const words = [command.workload, command.env, command.app].filter((w): w is string => w !== undefined);
  const entries = [...environments.values()];
  const apps = new Set(entries.map((e) => e.ref.app));
  const can: Record<Role, (w: string) => boolean> = {
    workload: (w) => entries.some((e) => workloadsOf(e).includes(w)),
    env: (w) => entries.some((e) => e.name === w || e.ref.name === w),
    app: (w) => apps.size > 1 && apps.has(w),
  };
  const readings: Role[][] = [];
  const roles: Role[] = ["workload", "env", "app"];
  const extend = (prefix: Role[]) => {
    if (prefix.length === words.length) readings.push(prefix);
    else for (const r of roles) if (!prefix.includes(r)) extend([...prefix, r]);
  };
  extend([]);
  const fitting = readings.find((reading) => reading.every((role, i) => can[role](words[i]!))) ?? roles.slice(0, words.length);
  const out: { workload?: string; env?: string; app?: string } = {};
  fitting.forEach((role, i) => (out[role] = words[i]!));
  return out;
}

function dedupe(targets: readonly Target[]): Target[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = `${t.env}\u0000${t.workload}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface Decided {
  edits: FieldEdit[];
  summary: string;
  unchanged: string;
}

function plainEdits(target: Target, workload: Workload, replicas: number): Decided {
  const path = ["workloads", target.workload, "replicas"];
  const where = `${code(target.workload)} in ${code(target.env)}`;
  return {
    edits: workload.replicas === replicas ? [] : [{ path, value: replicas }],
    summary:
      workload.replicas === undefined
        ? `${where}: replicas set to ${replicas} (it was not set, so base's count applied).`
        : `${where}: replicas ${workload.replicas} → ${replicas}.`,
    unchanged: `Nothing changed: ${where} already has replicas ${replicas}.`,
  };
}

function autoscaledEdits(target: Target, workload: Workload, replicas: number): Decided | string {
  const where = `${code(target.workload)} in ${code(target.env)}`;
  const hpa = workload.autoscaling!;
  if (replicas === 0) {
    return (
      `${where} is autoscaled, and a HorizontalPodAutoscaler's minReplicas must be at least 1, so it cannot be scaled to 0. ` +
      `To stop it, remove ${code("autoscaling")} from ${code(target.workload)} in the environment file, then ${code("/scale 0")}.`
    );
  }
  const at = (field: string) => ["workloads", target.workload, ...field.split(".")];
  const newMax = Math.max(hpa.maxReplicas, replicas);
  const edits: FieldEdit[] = [];
  if (hpa.minReplicas !== replicas) edits.push({ path: at("autoscaling.minReplicas"), value: replicas });
  if (newMax !== hpa.maxReplicas) edits.push({ path: at("autoscaling.maxReplicas"), value: newMax });
  const raiseReplicas = workload.replicas !== undefined && workload.replicas < replicas;
  if (raiseReplicas) edits.push({ path: at("replicas"), value: replicas });

  const minPart = hpa.minReplicas === replicas ? `minReplicas ${replicas} (unchanged)` : `minReplicas ${hpa.minReplicas} → ${replicas}`;
  const maxPart = newMax === hpa.maxReplicas ? `maxReplicas ${newMax} (unchanged)` : `maxReplicas ${hpa.maxReplicas} → ${newMax}`;
  const pinned =
    newMax === replicas
      ? `; autoscaling is now pinned at ${replicas}..${replicas}, so the HPA can no longer scale ${code(target.workload)} up or down (raise ${code("maxReplicas")} to let it)`
      : "";
  const tail = raiseReplicas
    ? `; the HPA owns the pod count, and replicas ${workload.replicas} → ${replicas} too, so that the file stays inside the new bounds ` +
      `(better: remove ${code("replicas")} and leave the count to the HPA).`
    : "; replicas stays under the HPA's control.";
  return {
    edits,
    summary: `${where} is autoscaled: ${minPart}, ${maxPart}${pinned}${tail}`,
    unchanged: `Nothing changed: ${where} is autoscaled and its minReplicas is already ${replicas} (maxReplicas ${hpa.maxReplicas}).`,
  };
}
