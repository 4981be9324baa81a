import { parseEnvironmentFile, type ParsedEnvironment } from "../environments/parse.ts";
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
}


export interface RenderResult {
  /** Non-empty means nothing should be written. */
  problems: FileProblem[];
  changes: FileChange[];
  environments: ParsedEnvironment[];
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
    for (const [file, content] of generateOverlay(parsed.name, parsed.env, input.base)) wanted.set(file, content);
  }
  if (input.only !== undefined && environments.length === 0) {
    problems.push({ file: environmentFilePath(input.only), line: 1, column: 1, field: "", message: `no such environment file` });
  }

  for (const [path, after] of [...wanted].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const before = input.overlayFiles.get(path);
    if (before !== after) changes.push(before === undefined ? { path, after } : { path, before, after });
  }

  // Generated files of environments that no longer exist, or that generation no longer produces.
  for (const [path, before] of [...input.overlayFiles].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const env = /^overlays\/([^/]+)\//.exec(path)?.[1];
    if (!env || (input.only !== undefined && env !== input.only)) continue;
    if (!wanted.has(path) && before.includes(generatedMarker) && !names.has(env)) changes.push({ path, before });
  }
  return { problems, changes, environments };
}

export { overlayDir };
