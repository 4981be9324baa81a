// A push whose environment names a kube context kustodian's kubeconfig lacks (issue 13): the
// watch cannot start. The Deployment's error says which context, file and line; the log line
// says so too, with the contexts the kubeconfig has. Reads the environment file at the merge
// (1 tree read; the blob is usually cached from the push).
import type { UnknownContextError } from "../cluster/connections.ts";
import { contextLocation, unknownContextDescription, unknownContextMessage } from "../environments/context-location.ts";
import { readFilesAt } from "../github/read-files.ts";
import { errorFields, type Log } from "../log/log.ts";
import { environmentPathsOf } from "./payload.ts";
import type { TrackedDeployment } from "./record-deployments.ts";
import type { RepoClient } from "./repo-client.ts";

/** The Deployment's error description for an unknown context, after logging the whole problem. */
export async function unknownContextDescriptionOf(
  gh: RepoClient,
  d: TrackedDeployment,
  error: UnknownContextError,
  log: Log,
): Promise<string> {
  const { file } = environmentPathsOf(d.environment, d.payload.paths);
  let line: number | undefined;
  try {
    const text = (await readFilesAt(gh.octokit, gh.repo, d.payload.mergeSha, (p) => p === file)).files.get(file);
    const located = text === undefined ? undefined : contextLocation(text);
    if (located?.context === error.context) line = located.line;
  } catch (readError) {
    log.warn({ err: errorFields(readError), deployment: d.id, file }, "environment file not read: the problem names no line");
  }
  const where = { file, line, context: error.context };
  log.error(
    {
      deployment: d.id,
      environment: d.environment,
      ...where,
      known: error.known,
      problem: unknownContextMessage({ ...where, known: error.known }),
    },
    "an environment names a kube context the kubeconfig lacks",
  );
  return unknownContextDescription(where);
}
