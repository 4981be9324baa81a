// The renders behind a failed verdict's attribution (issue 13): the environment rendered at each
// undone merge and at its first parent, the way detect-merge.ts rendered them when the merge was
// pushed (environment-render.ts). The push's renders are kept (the Deployments of
// the environments it touched, a few dozen commits): the usual failure costs no read and no
// render. Otherwise every build comes from the render cache when this process rendered those
// bytes, so the cost is one tree read per commit (blobs are cached too) and no kustomize run;
// another replica or a restarted one renders the one environment (others are left out).
// src/revert/blame.ts decides.
import type { KubeObject } from "../k8s/manifest-types.ts";
import { blameByPodTemplate, maxBlamedMerges, type Blame, type FailingWorkload } from "../revert/blame.ts";
import { renderEnvironmentAt } from "./environment-render.ts";
import type { RepoClient } from "./repo-client.ts";
import { fullName } from "../github/client.ts";
import type { RenderedSnapshot } from "../plan/rendered-snapshot.ts";

/** (repo@sha, environment) rendered by a push: the Deployments only. Oldest forgotten first. */
const kept = new Map<string, KubeObject[] | undefined>();
const keptCapacity = 64;
const keyOf = (gh: RepoClient, sha: string, environment: string) => `${fullName(gh.repo)}@${sha}\u0000${environment}`;

/** Keeps what a push rendered at `sha` for `environments` (detect-merge.ts), for a later attribution. */
export function keepPushRenders(gh: RepoClient, sha: string, snapshot: RenderedSnapshot, environments: readonly string[]): void {
  for (const environment of environments) {
    const rendered = snapshot.environments.get(environment);
    if (!rendered?.objects) continue;
    const key = keyOf(gh, sha, environment);
    kept.delete(key);
    kept.set(
      key,
      rendered.objects.filter((o) => o.kind === "Deployment"),
    );
    if (kept.size > keptCapacity) kept.delete(kept.keys().next().value!);
  }
}

/** One environment of a commit, rendered; undefined when it does not render there (or is not there). */
export async function renderedEnvironmentAt(gh: RepoClient, sha: string, environment: string): Promise<KubeObject[] | undefined> {
  const pushed = kept.get(keyOf(gh, sha, environment));
  if (pushed) return pushed;
  const render = await renderEnvironmentAt(gh, sha, environment);
  return render.kind === "rendered" ? [...render.objects] : undefined;
}

/**
 * The attribution of a failure of `failing` among `undoes` (oldest first, the failed merge last;
 * `parent` is the commit before each). The newest `maxBlamedMerges` are rendered, each commit once.
 */
export async function blameOfFailure(
  gh: RepoClient,
  input: { environment: string; undoes: readonly { sha: string; parent: string }[]; failing: FailingWorkload },
): Promise<Blame> {
  const considered = input.undoes.slice(-maxBlamedMerges);
  const renders = new Map<string, Promise<KubeObject[] | undefined>>();
  const at = (sha: string) => {
    if (!sha) return Promise.resolve(undefined);
    let render = renders.get(sha);
    if (!render) {
      render = renderedEnvironmentAt(gh, sha, input.environment);
      renders.set(sha, render);
    }
    return render;
  };
  // One commit after another: each may be a kustomize run when the cache does not have it.
  const merges = [];
  for (const m of considered) merges.push({ sha: m.sha, before: await at(m.parent), after: await at(m.sha) });
  return blameByPodTemplate(merges, input.failing);
}
