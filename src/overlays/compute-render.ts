import { editEnvironmentFile, EnvironmentEditError, type FieldEdit } from "../environments/edit.ts";
import { parseEnvironmentFile, type ParsedEnvironment } from "../environments/parse.ts";
import type { EnvironmentFile } from "../environments/schema.ts";
import { liftOverlayEdits, type LiftedEdit } from "./lift-edits.ts";
import { checkAgainstBase } from "./check-against-base.ts";
import type { FileProblem } from "../environments/problems.ts";
import type { FileChange } from "../layout/file-change.ts";
import type { BaseInventory } from "./base-inventory.ts";
import { environmentFilePath, generatedMarker, generateOverlay, overlayDir } from "./generate.ts";

export interface RenderInput {
  /** environments/*.yaml: path -> text */
  environmentFiles: ReadonlyMap<string, string>;
  /** overlays/**: path -> text, as they are now */
  overlayFiles: ReadonlyMap<string, string>;
  base: BaseInventory;
  /** Only this environment (the CLI's --env). */
  only?: string;
  /**
   * The tree before this change (a pull request's base, HEAD for a local render): an image or
   * replica edit made in a generated overlay since then is lifted into the environment file
   * instead of being undone; any other edit there is refused.
   */
  committed?: { environmentFiles: ReadonlyMap<string, string>; overlayFiles: ReadonlyMap<string, string> };
}


export interface RenderResult {
  /** Non-empty means nothing should be written. */
  problems: FileProblem[];
  changes: FileChange[];
  environments: ParsedEnvironment[];
  /** Values lifted from edited overlays into environment files (their edits are in `changes`). */
  lifted: LiftedEdit[];
}

export function isEnvironmentFile(path: string): boolean {
  return /^environments\/[^/]+\.ya?ml$/.test(path);
}

/** What `render` would change, as data. Pure: every file it looks at is passed in. */
export function computeRender(input: RenderInput): RenderResult {
  const problems: FileProblem[] = [];
  const changes: FileChange[] = [];
  const environments: ParsedEnvironment[] = [];
  const wanted = new Map<string, string>();
  const lifted: LiftedEdit[] = [];

  const envPaths = [...input.environmentFiles.keys()].filter(isEnvironmentFile).sort();
  const names = new Map<string, string>();
  for (const path of envPaths) {
    const text = input.environmentFiles.get(path)!;
    const parsed = parseEnvironmentFile(path, text);
    if (input.only !== undefined && parsed.name !== input.only) continue;
    environments.push(parsed);
    const clash = names.get(parsed.name);
    if (clash) {
      problems.push({ file: path, line: 1, column: 1, field: "", message: `${clash} already defines environment "${parsed.name}"` });
      continue;
    }
    names.set(parsed.name, path);
    if (!path.endsWith(".yaml")) {
      problems.push({ file: path, line: 1, column: 1, field: "", message: `name environment files <env>.yaml (kustodian reads ${environmentFilePath(parsed.name)})` });
      continue;
    }
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      continue;
    }
    const baseProblems = checkAgainstBase(path, text, parsed.doc, parsed.env, input.base);
    if (baseProblems.length) {
      problems.push(...baseProblems);
      continue;
    }
    let generated = generateOverlay(parsed.name, parsed.env, input.base);
    if (input.committed) {
      const lift = liftFromOverlays(path, text, parsed.env, generated, input);
      if (lift.problems.length) {
        problems.push(...lift.problems);
        continue;
      }
      if (lift.after !== undefined) {
        const again = parseEnvironmentFile(path, lift.after);
        if (!again.ok) throw new Error("unreachable: editEnvironmentFile checked the file");
        generated = generateOverlay(parsed.name, again.env, input.base);
        changes.push({ path, before: text, after: lift.after });
        lifted.push(...lift.lifted);
      }
    }
    for (const [file, content] of generated) wanted.set(file, content);
  }
  if (input.only !== undefined && environments.length === 0) {
    problems.push({ file: environmentFilePath(input.only), line: 1, column: 1, field: "", message: `no such environment file` });
  }

  for (const [path, after] of [...wanted].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const before = input.overlayFiles.get(path);
    if (before !== undefined && before !== after && !before.includes(generatedMarker)) {
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
    if (before !== after) changes.push(before === undefined ? { path, after } : { path, before, after });
  }

  // Generated files of environments that no longer exist, or that generation no longer produces.
  for (const [path, before] of [...input.overlayFiles].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const env = /^overlays\/([^/]+)\//.exec(path)?.[1];
    if (!env || (input.only !== undefined && env !== input.only)) continue;
    if (!wanted.has(path) && before.includes(generatedMarker) && !names.has(env)) changes.push({ path, before });
  }
  return { problems, changes, environments, lifted };
}

/** Lifts what other tools changed in this environment's generated overlay (issue 12, item 6). */
function liftFromOverlays(
  file: string,
  text: string,
  env: EnvironmentFile,
  generated: ReadonlyMap<string, string>,
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
      base: input.base,
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

export { overlayDir };
