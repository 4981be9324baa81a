// Promotion with evidence: an image may reach an environment whose file says
// `promotion: { after: staging, soak: 30m }` only when that same image (tag or digest) rolled out
// Healthy in staging at least 30 minutes ago and has not failed there since. The record is
// kustodian's own GitHub Deployments (their statuses) and the environment file at each
// Deployment's merge. Pure: history and time are passed in.
import { canonicalName } from "../environments/held-images.ts";
import { parseImageReference } from "../environments/image-reference.ts";
import type { EnvironmentFile } from "../environments/schema.ts";
import { formatDuration, parseDuration } from "../text/duration.ts";

/** One of kustodian's rollouts in the upstream environment, as its Deployment records it. */
export interface UpstreamRollout {
  deploymentId: number;
  mergeSha: string;
  /** Every image the environment file named at that merge. */
  images: readonly string[];
  /** Verdict: healthy, failed, or still rolling out. */
  state: "healthy" | "failed" | "rolling";
  /** When the Deployment was created (the merge). */
  startedAt: Date;
  /** When the verdict was recorded (the success or failure status). */
  concludedAt?: Date;
}

export interface GateInput {
  /** The environment the pull request changes (e.g. prod). */
  environment: string;
  after: string;
  /** As written in the file: `30m`. */
  soak: string;
  /** The images the pull request sets in `environment` (new or changed). */
  images: readonly string[];
  upstream: readonly UpstreamRollout[];
  now: Date;
}

export type ImageVerdict =
  { image: string; ok: true; line: string; healthyAt: Date } | { image: string; ok: false; line: string; recheckAt?: Date };

export interface GateDecision {
  environment: string;
  ok: boolean;
  images: ImageVerdict[];
  /** When the decision changes by itself (a soak completes); null when only a rollout can change it. */
  recheckAt: Date | null;
}

/** Whether `a` and `b` name the same image: the same digest, or the same repository and tag. */
export function sameImage(candidate: string, recorded: string): boolean {
  const a = parseImageReference(candidate);
  const b = parseImageReference(recorded);
  if (!a.ok || !b.ok) return candidate === recorded;
  if (a.image.digest !== undefined || b.image.digest !== undefined) {
    if (a.image.digest !== undefined && b.image.digest !== undefined) return a.image.digest === b.image.digest;
    // One side pins a digest, the other only a tag: the same only if both name the same tag.
    if (a.image.tag === undefined || b.image.tag === undefined) return false;
  }
  return canonicalName(a.image.name) === canonicalName(b.image.name) && a.image.tag === b.image.tag;
}

/** The gate for one environment of a pull request. */
export function decidePromotion(input: GateInput): GateDecision {
  const soakSeconds = parseDuration(input.soak) ?? 0;
  const soak = formatDuration(soakSeconds);
  const images = [...new Set(input.images)].map((image) => imageVerdict(input, image, soakSeconds, soak));
  const rechecks = images.flatMap((v) => (!v.ok && v.recheckAt ? [v.recheckAt.getTime()] : []));
  return {
    environment: input.environment,
    ok: images.every((v) => v.ok),
    images,
    recheckAt: rechecks.length ? new Date(Math.max(...rechecks)) : null,
  };
}

function imageVerdict(input: GateInput, image: string, soakSeconds: number, soak: string): ImageVerdict {
  const { after, now } = input;
  const runs = input.upstream.filter((r) => r.images.some((i) => sameImage(image, i)));
  const failures = runs.filter((r) => r.state === "failed").map((r) => (r.concludedAt ?? r.startedAt).getTime());
  const lastFailure = failures.length ? Math.max(...failures) : undefined;
  // The evidence: the first Healthy rollout of the image after its last failure.
  const healthy = runs
    .filter(
      (r) => r.state === "healthy" && r.concludedAt !== undefined && (lastFailure === undefined || r.concludedAt.getTime() > lastFailure),
    )
    .map((r) => r.concludedAt!.getTime())
    .sort((a, b) => a - b)[0];
  if (healthy === undefined) {
    if (lastFailure !== undefined) return { image, ok: false, line: `${after}: failed in ${after} at ${iso(lastFailure)}` };
    const rolling = runs.find((r) => r.state === "rolling");
    if (rolling) return { image, ok: false, line: `${after}: rolling out since ${iso(rolling.startedAt.getTime())}, not Healthy yet` };
    return { image, ok: false, line: `${after}: not deployed` };
  }
  const age = (now.getTime() - healthy) / 1000;
  const ago = formatDuration(age);
  if (age >= soakSeconds)
    return { image, ok: true, line: `${after}: Healthy ${ago} ago, soak ${soak}: done`, healthyAt: new Date(healthy) };
  return {
    image,
    ok: false,
    line: `${after}: Healthy ${ago} ago, soak ${soak}: ${formatDuration(Math.ceil(soakSeconds - age))} left`,
    recheckAt: new Date(healthy + soakSeconds * 1000),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Every image an environment file names, by workload (and `workload/container`). */
export function imagesOf(env: EnvironmentFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, w] of Object.entries(env.workloads)) {
    if (w.image) out.set(name, w.image);
    for (const [container, c] of Object.entries(w.containers ?? {})) if (c.image) out.set(`${name}/${container}`, c.image);
  }
  return out;
}

/** The images `head` sets that `base` did not have at that place: what a pull request promotes. */
export function promotedImages(base: EnvironmentFile | undefined, head: EnvironmentFile): string[] {
  const before = base ? imagesOf(base) : new Map<string, string>();
  return [...imagesOf(head)].filter(([k, image]) => before.get(k) !== image).map(([, image]) => image);
}

/** The check's text: one line per image. */
export function describeGate(d: GateDecision): string[] {
  return d.images.map((v) => `${v.ok ? "✅" : v.recheckAt ? "⏳" : "❌"} ${d.environment} ← \`${v.image}\`: ${v.line}`);
}
