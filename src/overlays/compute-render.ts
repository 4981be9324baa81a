import { editEnvironmentFile, EnvironmentEditError, type FieldEdit } from "../environments/edit.ts";
import { parseEnvironmentFile, type ParsedEnvironment } from "../environments/parse.ts";
import type { EnvironmentFile } from "../environments/schema.ts";
import { liftOverlayEdits, type LiftedEdit } from "./lift-edits.ts";
import { checkAgainstBase } from "./check-against-base.ts";
import type { FileProblem } from "../environments/problems.ts";
import type { FileChange } from "../layout/file-change.ts";
import { defaultLayout, type RepositoryLayout } from "../layout/layout.ts";
import { environmentsOf, findEnvironment, overlayEnvironmentOf, environmentKey, type EnvironmentRef } from "../layout/paths.ts";
import type { BaseInventory } from "./base-inventory.ts";
import { generatedMarker, generateOverlay, placementOf } from "./generate.ts";

export interface RenderInput {
  /** The environment files (path -> text); other paths are ignored. */
  environmentFiles: ReadonlyMap<string, string>;
  /** The files under the overlay directories: path -> text, as they are now. */
  overlayFiles: ReadonlyMap<string, string>;
  /** The layout (src/layout); default: base/, environments/, overlays/. */
  layout?: RepositoryLayout;
  /** The inventory of each app's bases, by app name. */
  bases?: ReadonlyMap<string, BaseInventory>;
  /** The default app's base (the default layout's one app), when `bases` is not given. */
  base?: BaseInventory;
  /** Only this environment (the CLI's --env): its key, or its name with `onlyApp`. */
  only?: string;
  onlyApp?: string;
  /**
   * The tree before this change (a pull request's base, HEAD for a local render): an image or
   * replica edit made in a generated overlay since then is lifted into the environment file
   * instead of being undone; any other edit there is refused.
   */
  committed?: { environmentFiles: ReadonlyMap<string, string>; overlayFiles: ReadonlyMap<string, string> };
}

/** A parsed environment file with where it sits in the layout. */
export type RenderedEnvironmentFile = ParsedEnvironment & { ref: EnvironmentRef };

export interface RenderResult {
  /** Non-empty means nothing should be written. */
  problems: FileProblem[];
  changes: FileChange[];
  environments: RenderedEnvironmentFile[];
  /** Values lifted from edited overlays into environment files (their edits are in `changes`). */
  lifted: LiftedEdit[];
}

/** Whether a path is an environment file of the layout (default: environments/<env>.yaml|yml). */
export function isEnvironmentFile(path: string, layout: RepositoryLayout = defaultLayout): boolean {
  return environmentsOf(layout, [path]).length > 0;
}

/** Same text up to line endings: a CRLF checkout of an overlay is not stale. */
export function sameText(a: string | undefined, b: string | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.replace(/\r\n/g, "\n") === b.replace(/\r\n/g, "\n"));
}

/** The generated text in the line endings of the file it replaces. */
function inLineEndingsOf(before: string | undefined, after: string): string {
  return before !== undefined && before.includes("\r\n") ? after.replace(/\r?\n/g, "\r\n") : after;
}

/** What `render` would change, as data. Pure: every file it looks at is passed in. */
export function computeRender(input: RenderInput): RenderResult {
  const layout = input.layout ?? defaultLayout;
  const problems: FileProblem[] = [];
  const changes: FileChange[] = [];
  const environments: RenderedEnvironmentFile[] = [];
  const wanted = new Map<string, string>();
  const lifted: LiftedEdit[] = [];

  const all = environmentsOf(layout, input.environmentFiles.keys());
  let refs = all;
  if (input.only !== undefined) {
    const found = findEnvironment(all, input.only, input.onlyApp);
    const file = input.onlyApp ? `${input.onlyApp}/${input.only}` : input.only;
    if (!found.ok) {
      const message =
        found.why === "ambiguous"
          ? `environment "${input.only}" exists in several apps (${found.apps.join(", ")}); name the app`
          : `no such environment; known: ${found.known.join(", ") || "none"}`;
      problems.push({ file, line: 1, column: 1, field: "", message });
      return { problems, changes, environments, lifted };
    }
    refs = all.filter((r) => r.key === found.ref.key);
  }
  const keys = new Map<string, string>();
  for (const ref of refs) {
    const path = ref.file;
    const text = input.environmentFiles.get(path)!;
    // Not spread: a valid file's yaml v2 Document is parsed only when asked for (src/environments/parse.ts).
    const parsed: RenderedEnvironmentFile = Object.assign(parseEnvironmentFile(path, text, ref.name), { ref });
    environments.push(parsed);
    const clash = keys.get(ref.key);
    if (clash) {
      problems.push({ file: path, line: 1, column: 1, field: "", message: `${clash} already defines environment "${ref.key}"` });
      continue;
    }
    keys.set(ref.key, path);
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      continue;
    }
    const base = input.bases?.get(ref.app) ?? input.base;
    if (!base) {
      problems.push({ file: path, line: 1, column: 1, field: "", message: `the bases of app "${ref.app}" (${ref.bases.join(", ")}) were not rendered` });
      continue;
    }
    const baseProblems = checkAgainstBase(path, text, parsed.doc, parsed.env, base);
    if (baseProblems.length) {
      problems.push(...baseProblems);
      continue;
    }
    const placement = placementOf(ref);
    let generated = generateOverlay(ref.name, parsed.env, base, placement);
    if (input.committed) {
      const lift = liftFromOverlays(path, text, parsed.env, generated, base, input);
      if (lift.problems.length) {
        problems.push(...lift.problems);
        continue;
      }
      if (lift.after !== undefined) {
        const again = parseEnvironmentFile(path, lift.after, ref.name);
        if (!again.ok) throw new Error("unreachable: editEnvironmentFile checked the file");
        generated = generateOverlay(ref.name, again.env, base, placement);
        changes.push({ path, before: text, after: lift.after });
        lifted.push(...lift.lifted);
      }
    }
    for (const [file, content] of generated) wanted.set(file, content);
  }

  for (const [path, generated] of [...wanted].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const before = input.overlayFiles.get(path);
    if (sameText(before, generated)) continue;
    if (before !== undefined && !before.includes(generatedMarker)) {
      // Written by a person or another tool: overwriting it could drop what it builds (a Namespace,
      // labels) and Argo CD or Flux would prune it.
      problems.push({
        file: path,
        line: 1,
        column: 1,
        field: "",
        message: `has no "${generatedMarker}" header: it was not written by kustodian, so render does not overwrite it. Import it with \`kustodian init\`, or delete it to have it generated`,
      });
      continue;
    }
    const after = inLineEndingsOf(before, generated);
    changes.push(before === undefined ? { path, after } : { path, before, after });
  }

  // Generated files of environments that no longer exist, or that generation no longer produces.
  const existing = new Set(all.map((r) => r.key));
  const onlyKeys = new Set(refs.map((r) => r.key));
  for (const [path, before] of [...input.overlayFiles].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const owner = overlayEnvironmentOf(layout, path);
    if (!owner) continue;
    const key = environmentKey(layout, owner.app.name, owner.name);
    if (input.only !== undefined && !onlyKeys.has(key)) continue;
    if (!wanted.has(path) && before.includes(generatedMarker) && !existing.has(key)) changes.push({ path, before });
  }
  return { problems, changes, environments, lifted };
}

/** Lifts what other tools changed in this environment's generated overlay (issue 12, item 6). */
function liftFromOverlays(
  file: string,
  text: string,
  env: EnvironmentFile,
  generated: ReadonlyMap<string, string>,
  base: BaseInventory,
  input: RenderInput,
): { problems: FileProblem[]; lifted: LiftedEdit[]; after?: string } {
  const problems: FileProblem[] = [];
  const lifted: LiftedEdit[] = [];
  const edits: FieldEdit[] = [];
  for (const [overlayFile, content] of generated) {
    const envTextBefore = input.committed!.environmentFiles.get(file);
    const overlayBefore = input.committed!.overlayFiles.get(overlayFile);
    const overlayNow = input.overlayFiles.get(overlayFile);
    const lift = liftOverlayEdits({
      envFile: file,
      env,
      overlayFile,
      generated: content,
      base,
      ...(envTextBefore !== undefined ? { envTextBefore } : {}),
      ...(overlayBefore !== undefined ? { overlayBefore } : {}),
      ...(overlayNow !== undefined ? { overlayNow } : {}),
    });
    problems.push(...lift.problems);
    lifted.push(...lift.lifted);
    edits.push(...lift.edits);
  }
  if (problems.length || edits.length === 0) return { problems, lifted: [] };
  try {
    return { problems, lifted, after: editEnvironmentFile(file, text, edits) };
  } catch (error) {
    if (!(error instanceof EnvironmentEditError)) throw error;
    return { problems: [{ file, line: 1, column: 1, field: "", message: `could not take the overlay's change: ${error.message}` }], lifted: [] };
  }
}
