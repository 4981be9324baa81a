// `kustodian contexts`: the kube context each environment of the repository names, checked
// against a kubeconfig (or a list) the way the app's watch will use it (issue 13). Run it in the
// GitOps repository's CI with the contexts the app is deployed with (`--known`, the app's
// KUSTODIAN_CONTEXTS), or on a machine with the app's kubeconfig: a context no cluster answers to
// is found before the merge, not on the merge's Deployment.
import { parseDocument } from "yaml";
import { loadKubeConfig } from "../cluster/load-kubeconfig.ts";
import { contextLocation, unknownContextMessage } from "../environments/context-location.ts";
import { keyOffset, positionOf } from "../environments/locate.ts";
import { environmentKey, environmentsOf } from "../layout/paths.ts";
import { readWorkingLayout } from "./working-layout.ts";
import type { CliIo } from "./io.ts";

export interface ContextsOptions {
  /** The contexts that exist; else those of the kubeconfig (`kubeconfig`, else $KUBECONFIG / ~/.kube/config). */
  known?: readonly string[];
  kubeconfig?: string;
  env: Readonly<Record<string, string | undefined>>;
}

interface Named {
  environment: string;
  file: string;
  line: number | undefined;
  context: string;
}

/** Exit 0: every context is known; 1: some are not (one line each on stderr); 2: no kubeconfig or an invalid layout. */
export async function contextsCommand(io: CliIo, options: ContextsOptions): Promise<number> {
  let known = options.known;
  let source = "--known";
  if (!known) {
    const loaded = loadKubeConfig(options.kubeconfig ? { ...options.env, KUBECONFIG: options.kubeconfig } : options.env);
    if (!loaded.ok) {
      io.stderr.write(`kustodian: ${loaded.problem}; or give the contexts with --known a,b\n`);
      return 2;
    }
    if (loaded.kubeConfig.getCurrentContext() === "inClusterContext") {
      io.stdout.write("in-cluster service account: every context is this cluster\n");
      return 0;
    }
    known = loaded.kubeConfig.getContexts().map((c) => c.name);
    source = loaded.source;
  }
  const working = await readWorkingLayout(io);
  if (!working) return 2;
  const { files } = working;
  const named: Named[] = [];
  for (const ref of environmentsOf(working.layout, files.keys())) {
    const located = contextLocation(files.get(ref.file) ?? "");
    if (located) named.push({ environment: ref.key, file: ref.file, line: located.line, context: located.context });
  }
  // The layout's `contexts` count only for an environment whose file names none (the schema
  // requires sync.context today, so they are shown as unused).
  const layoutFile = working.layout.file;
  const unused: Named[] = [];
  if (layoutFile) {
    const doc = parseDocument(files.get(layoutFile) ?? "");
    for (const app of working.layout.apps)
      for (const [env, context] of Object.entries(app.contexts)) {
        const key = environmentKey(working.layout, app.name, env);
        const line = positionOf(files.get(layoutFile)!, keyOffset(doc, ["apps", app.name, "contexts", env])).line;
        (named.some((n) => n.environment === key) ? unused : named).push({ environment: key, file: layoutFile, line, context });
      }
  }
  let missing = 0;
  for (const n of named) {
    const ok = known.includes(n.context);
    io.stdout.write(`${n.environment}\t${n.file}${n.line === undefined ? "" : `:${n.line}`}\t${n.context}\t${ok ? "ok" : "missing"}\n`);
    if (ok) continue;
    missing++;
    io.stderr.write(`${unknownContextMessage({ ...n, known, source })}\n`);
  }
  for (const n of unused)
    io.stdout.write(`${n.environment}\t${n.file}:${n.line}\t${n.context}\tunused (the environment file's sync.context wins)\n`);
  return missing > 0 ? 1 : 0;
}
