// Which files belong to an environment: the one a person edits and the overlay generated from it.
import { environmentFilePath, overlayDir } from "../overlays/generate.ts";

/** environments/<env>.yaml and everything under overlays/<env>/. */
export function isEnvironmentPath(environment: string, path: string): boolean {
  return path === environmentFilePath(environment) || path.startsWith(`${overlayDir(environment)}/`);
}

/** The environment a path belongs to (environments/<env>.yaml or overlays/<env>/...), or undefined. */
export function environmentOfPath(path: string): string | undefined {
  return /^environments\/([^/]+)\.yaml$/.exec(path)?.[1] ?? /^overlays\/([^/]+)\/./.exec(path)?.[1];
}

/** Whether kustodian reads this path to find and revert environments (environments/ and overlays/). */
export function isEnvironmentOrOverlay(path: string): boolean {
  return environmentOfPath(path) !== undefined;
}

/** The files of one environment out of a snapshot (path -> text or blob id), in path order. */
export function environmentFiles<T>(environment: string, files: ReadonlyMap<string, T>): Map<string, T> {
  return new Map([...files].filter(([path]) => isEnvironmentPath(environment, path)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
