// Which files belong to an environment: the one a person edits and the overlay generated from it
// (where they are is src/layout's business; a bare name means the default layout).
import { defaultAppName, defaultLayout } from "../layout/layout.ts";
import {
  environmentRef,
  environmentsOf,
  isEnvironmentPath as inEnvironment,
  overlayEnvironmentOf,
  type EnvironmentRef,
} from "../layout/paths.ts";

export type EnvironmentPaths = Pick<EnvironmentRef, "key" | "file" | "overlay">;

/** An environment's paths: given, or those of a name in the default layout. */
export function pathsOf(environment: string | EnvironmentPaths): EnvironmentPaths {
  return typeof environment === "string" ? environmentRef(defaultLayout, defaultAppName, environment) : environment;
}

/** Its environment file (either spelling) and everything under its overlay directory. */
export function isEnvironmentPath(environment: string | EnvironmentPaths, path: string): boolean {
  const p = pathsOf(environment);
  return inEnvironment({ ...p, app: "", name: "", bases: [] }, path);
}

/** The environment a path belongs to in the default layout (environments/<env>.yaml|yml or overlays/<env>/...), or undefined. */
export function environmentOfPath(path: string): string | undefined {
  return environmentsOf(defaultLayout, [path])[0]?.name ?? overlayEnvironmentOf(defaultLayout, path)?.name;
}

/** Whether kustodian reads this path to find and revert environments (default layout). */
export function isEnvironmentOrOverlay(path: string): boolean {
  return environmentOfPath(path) !== undefined;
}

/** The files of one environment out of a snapshot (path -> text or blob id), in path order. */
export function environmentFiles<T>(environment: string | EnvironmentPaths, files: ReadonlyMap<string, T>): Map<string, T> {
  return new Map([...files].filter(([path]) => isEnvironmentPath(environment, path)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
