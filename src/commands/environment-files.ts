import { environmentNameOf, parseEnvironmentFile, type ParsedEnvironment } from "../environments/parse.ts";
import { formatProblem } from "../environments/problems.ts";
import { code, listOf, plain } from "./markdown.ts";

/** One environment file at the PR head, parsed. */
export interface EnvironmentEntry {
  name: string;
  file: string;
  text: string;
  parsed: ParsedEnvironment;
}

/**
 * The environment files (path -> text, e.g. `environments/prod.yaml`) by environment name, in
 * name order. If two files give the same name (prod.yaml and prod.yml), the first path wins.
 */
export function indexEnvironments(files: ReadonlyMap<string, string>): Map<string, EnvironmentEntry> {
  const byName = new Map<string, EnvironmentEntry>();
  for (const file of [...files.keys()].sort()) {
    const name = environmentNameOf(file);
    if (byName.has(name)) continue;
    const text = files.get(file)!;
    byName.set(name, { name, file, text, parsed: parseEnvironmentFile(file, text) });
  }
  return new Map([...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
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
