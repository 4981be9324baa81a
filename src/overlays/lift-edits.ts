// Coexisting with other tools (issue 12, item 6): Renovate, Dependabot, image updaters and people
// edit generated overlays directly. Regenerating would silently undo such an edit, so an image or
// replica change made in the overlay is lifted back into the environment file; any other edit is
// refused with the file and the field. Which side changed is decided against a "before" tree
// (the pull request's base, or HEAD for a local render). Pure: every text is passed in.
import { parse } from "yaml";
import { isDeepStrictEqual } from "node:util";
import { parseImageReference } from "../environments/image-reference.ts";
import type { FieldEdit } from "../environments/edit.ts";
import type { FileProblem } from "../environments/problems.ts";
import type { EnvironmentFile } from "../environments/schema.ts";
import type { BaseInventory } from "./base-inventory.ts";
import { generatedMarker, imageAssignments } from "./generate.ts";

export interface OverlayEditInput {
  envFile: string;
  env: EnvironmentFile;
  /** The environment file's text in the before tree (undefined: new in this change). */
  envTextBefore?: string;
  overlayFile: string;
  overlayBefore?: string;
  overlayNow?: string;
  /** What the environment file (as it is now) generates for that overlay. */
  generated: string;
  base: BaseInventory;
}

/** One value lifted from an overlay into the environment file: said in the commit and the plan. */
export interface LiftedEdit {
  file: string;
  field: string;
  from: unknown;
  to: unknown;
  /** Where it was changed: `overlays/prod/kustomization.yaml images[ghcr.io/acme/app]`. */
  source: string;
}

export interface OverlayEditLift {
  edits: FieldEdit[];
  lifted: LiftedEdit[];
  problems: FileProblem[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function byName(list: unknown): Map<string, Obj> {
  const m = new Map<string, Obj>();
  for (const e of Array.isArray(list) ? list : []) if (isObj(e) && typeof e.name === "string") m.set(e.name, e);
  return m;
}

function refOf(entry: Obj): string | undefined {
  const name = typeof entry.newName === "string" ? entry.newName : typeof entry.name === "string" ? entry.name : undefined;
  const tag = typeof entry.newTag === "string" || typeof entry.newTag === "number" ? String(entry.newTag) : undefined;
  const digest = typeof entry.digest === "string" ? entry.digest : undefined;
  if (name === undefined || (tag === undefined && digest === undefined)) return undefined;
  const ref = `${name}${tag !== undefined ? `:${tag}` : ""}${digest !== undefined ? `@${digest}` : ""}`;
  return parseImageReference(ref).ok ? ref : undefined;
}

function getIn(data: unknown, path: readonly (string | number)[]): unknown {
  let cur = data;
  for (const p of path) cur = isObj(cur) ? cur[p] : undefined;
  return cur;
}

export function liftOverlayEdits(input: OverlayEditInput): OverlayEditLift {
  const out: OverlayEditLift = { edits: [], lifted: [], problems: [] };
  const { overlayBefore, overlayNow } = input;
  if (overlayBefore === undefined || overlayNow === undefined || overlayBefore === overlayNow) return out;
  if (!overlayNow.includes(generatedMarker) || !overlayBefore.includes(generatedMarker)) return out;
  const problem = (field: string, message: string) => out.problems.push({ file: input.overlayFile, line: 1, column: 1, field, message });

  let before: unknown;
  let now: unknown;
  let generated: unknown;
  let envBefore: unknown;
  try {
    generated = parse(input.generated);
    before = parse(overlayBefore, { maxAliasCount: 50 });
    now = parse(overlayNow, { maxAliasCount: 50 });
    envBefore = input.envTextBefore === undefined ? undefined : parse(input.envTextBefore, { maxAliasCount: 50 });
  } catch (error) {
    problem("", `not valid YAML after an edit: ${(error as Error).message.split("\n")[0]}`);
    return out;
  }
  if (!isObj(before) || !isObj(now) || !isObj(generated)) return out;
  // Changed in the overlay since the before tree, and not what the environment file generates:
  // regenerating would undo it.
  const outOfBand = (b: unknown, n: unknown, g: unknown) => !isDeepStrictEqual(n, g) && !isDeepStrictEqual(b, n);

  const refuse = (field: string) =>
    problem(
      field,
      `was edited in the generated overlay; kustodian lifts only image tags and replica counts into ${input.envFile}. Make this change there, or render would undo it`,
    );
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(now)])].sort()) {
    if (key !== "images" && key !== "replicas" && outOfBand(before[key], now[key], generated[key])) refuse(key);
  }

  const lift = (path: (string | number)[], to: unknown, source: string) => {
    const current = getIn(input.env, path);
    const was = envBefore === undefined ? current : getIn(envBefore, path);
    if (current === to) return;
    if (!isDeepStrictEqual(was, current)) {
      problem(source.replace(/^\S+ /, ""), `changed to ${JSON.stringify(to)} here and to ${JSON.stringify(current)} in ${input.envFile} (${path.join(".")}); keep one`);
      return;
    }
    if (out.edits.some((e) => isDeepStrictEqual(e.path, path))) return;
    out.edits.push({ path, value: to });
    out.lifted.push({ file: input.envFile, field: path.join("."), from: current, to, source });
  };

  const imagesBefore = byName(before.images);
  const imagesNow = byName(now.images);
  const imagesGenerated = byName(generated.images);
  for (const name of [...new Set([...imagesBefore.keys(), ...imagesNow.keys()])].sort()) {
    const a = imagesBefore.get(name);
    const b = imagesNow.get(name);
    if (!outOfBand(a, b, imagesGenerated.get(name))) continue;
    const field = `images[${name}]`;
    const ref = b ? refOf(b) : undefined;
    const owners = imageAssignments(input.env, input.base).filter((x) => x.container.imageName === name);
    if (!a || !b || ref === undefined || owners.length === 0) {
      refuse(field);
      continue;
    }
    for (const o of owners) lift(o.field, ref, `${input.overlayFile} ${field}`);
  }

  const replicasBefore = byName(before.replicas);
  const replicasNow = byName(now.replicas);
  const replicasGenerated = byName(generated.replicas);
  for (const name of [...new Set([...replicasBefore.keys(), ...replicasNow.keys()])].sort()) {
    const a = replicasBefore.get(name);
    const b = replicasNow.get(name);
    if (!outOfBand(a, b, replicasGenerated.get(name))) continue;
    const field = `replicas[${name}]`;
    const count = b?.count;
    if (!a || !b || !Number.isInteger(count) || (count as number) < 0 || !Object.hasOwn(input.env.workloads, name)) {
      refuse(field);
      continue;
    }
    lift(["workloads", name, "replicas"], count, `${input.overlayFile} ${field}`);
  }
  return out;
}
