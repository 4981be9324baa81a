// One environment of a commit rendered the way a push renders it (renderSnapshot, overlays
// regenerated; the other environments left out): one tree read (blobs are cached), and every
// kustomize build a render-cache hit when this process rendered those bytes before. Used by the
// attribution of a failure (blame-source.ts) and by the after-merge mask (secret-mask.ts).
import { readGitOpsFilesAt } from "../github/read-files.ts";
import type { KubeObject } from "../k8s/manifest-types.ts";
import { layoutOfFiles } from "../layout/parse-layout.ts";
import { environmentsOf } from "../layout/paths.ts";
import { renderSnapshot } from "../repo/render-snapshot.ts";
import type { RepoClient } from "./repo-client.ts";

/** `absent`: the commit has no such environment; `failed`: its layout is invalid or the environment does not render. */
export type EnvironmentRender = { kind: "rendered"; objects: readonly KubeObject[] } | { kind: "absent" } | { kind: "failed" };

/** Every object of `environment` rendered at `sha` (Secrets included). Throws when the commit cannot be read. */
export async function renderEnvironmentAt(gh: RepoClient, sha: string, environment: string): Promise<EnvironmentRender> {
  const { files } = await readGitOpsFilesAt(gh.octokit, gh.repo, sha);
  const layout = layoutOfFiles(files);
  if (!layout.ok) return { kind: "failed" };
  const keys = environmentsOf(layout.layout, files.keys()).map((r) => r.key);
  if (!keys.includes(environment)) return { kind: "absent" };
  const snapshot = await renderSnapshot(files, { unchanged: new Set(keys.filter((k) => k !== environment)) });
  const objects = snapshot.environments.get(environment)?.objects;
  return objects ? { kind: "rendered", objects } : { kind: "failed" };
}
