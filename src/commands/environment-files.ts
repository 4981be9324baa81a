import { parseEnvironmentFile, type ParsedEnvironment } from "../environments/parse.ts";
import { layoutOfFiles } from "../layout/parse-layout.ts";
import { environmentsOf, findEnvironment, type EnvironmentRef } from "../layout/paths.ts";
import { formatProblem } from "../environments/problems.ts";
import { code, listOf, plain } from "./markdown.ts";

/** One environment file at the PR head, parsed. */
export interface EnvironmentEntry {
  /** The environment's key (src/layout): `prod`, or `shop/prod` when the layout has several apps. */
  name: string;
  ref: EnvironmentRef;
  file: string;
  text: string;
  parsed: ParsedEnvironment;
}

/**
 * The environment files of a tree (path -> text; its layout file says where they are, default
 * `environments/<env>.yaml`) by environment key, in key order. If two files give the same key
 * (prod.yaml and prod.yml), the first path wins. An invalid layout file gives no environments.
 */
export function indexEnvironments(files: ReadonlyMap<string, string>): Map<string, EnvironmentEntry> {
  const layout = layoutOfFiles(files);
  const byName = new Map<string, EnvironmentEntry>();
  if (!layout.ok) return byName;
  for (const ref of environmentsOf(layout.layout, files.keys())) {
    if (byName.has(ref.key)) continue;
    const text = files.get(ref.file)!;
    byName.set(ref.key, { name: ref.key, ref, file: ref.file, text, parsed: parseEnvironmentFile(ref.file, text, ref.name) });
  }
  return new Map([...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * An environment by what a person wrote: its key (`shop/prod`), or its name (`prod`) when one app
 * has it, optionally with the app. Else the reply sentence: unknown, or which apps share the name.
 */
export function lookupEnvironment(
  environments: ReadonlyMap<string, EnvironmentEntry>,
  name: string,
  app?: string,
): EnvironmentEntry | string {
  const found = findEnvironment(
    [...environments.values()].map((e) => e.ref),
    name,
    app,
  );
  if (found.ok) return environments.get(found.ref.key)!;
  if (found.why === "ambiguous")
    return `Several apps have an environment ${code(name)}: ${listOf(found.apps.map((a) => code(`${a}/${name}`)))}. Say which one.`;
  return unknownEnvironment(app ? `${app}/${name}` : name, environments.keys());
}

/** Workload names of a valid environment, in file order; none for an invalid one. */
export function workloadsOf(entry: EnvironmentEntry | undefined): string[] {
  return entry?.parsed.ok ? Object.keys(entry.parsed.env.workloads) : [];
}

export function unknownEnvironment(name: string, known: Iterable<string>): string {
  const names = [...known];
  return names.length === 0
    ? `There is no environment ${code(name)}: this branch has no environment files.`
    : `There is no environment ${code(name)}. Environments: ${listOf(names.map(code))}.`;
}

export function invalidEnvironment(entry: EnvironmentEntry): string {
  const problems = entry.parsed.ok ? [] : entry.parsed.problems;
  return [
    `${code(entry.file)} is not valid, so I did not edit it. Fix it first:`,
    ...problems.map((p) => `- ${code(formatProblem(p))}`),
  ].join("\n");
}

/** A problem raised while editing (EnvironmentEditError), as a reply sentence. */
export function editFailed(file: string, message: string): string {
  return `I could not edit ${code(file)}: ${plain(message)}`;
}
