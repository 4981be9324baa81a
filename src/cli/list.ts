import { formatProblem } from "../environments/problems.ts";
import type { KubeObject } from "../k8s/manifest-types.ts";
import { environmentsOf } from "../layout/paths.ts";
import { renderSnapshot } from "../repo/render-snapshot.ts";
import { readWorkingLayout } from "./working-layout.ts";
import type { CliIo } from "./io.ts";

/** One environment as `kustodian list --format json` prints it. */
export interface ListedEnvironment {
  name: string;
  app: string;
  /** The environment file, relative to the repository root. */
  file: string;
  /** The overlay directory, relative to the repository root. */
  overlay: string;
  workloads: { name: string; kind: string; image: string }[];
  /** Why there are no workloads: the file is invalid, or the overlay does not build. */
  problems?: string[];
}

const podWorkloadKinds = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

/**
 * `kustodian list [--format text|json]`: every environment of every app, with its workloads as
 * they render (overlays regenerated first, as kustodian would commit them): name, kind and the
 * image of the main container (the one named like the workload, else the first).
 */
export async function listCommand(io: CliIo, options: { format: "text" | "json" }): Promise<number> {
  const working = await readWorkingLayout(io);
  if (!working) return 2;
  const { files } = working;
  const refs = environmentsOf(working.layout, files.keys());
  const snapshot = await renderSnapshot(files);
  const listed: ListedEnvironment[] = refs.map((ref) => {
    const rendered = snapshot.environments.get(ref.key);
    const problems = [...(rendered?.problems ?? []).map(formatProblem), ...(rendered?.renderError ? [rendered.renderError] : [])];
    return {
      name: ref.name,
      app: ref.app,
      file: ref.file,
      overlay: ref.overlay,
      workloads: (rendered?.objects ?? []).filter((o) => podWorkloadKinds.has(o.kind)).map(workloadOf),
      ...(problems.length ? { problems } : {}),
    };
  });
  if (options.format === "json") {
    io.stdout.write(`${JSON.stringify(listed, null, 2)}\n`);
  } else if (listed.length === 0) {
    io.stdout.write(`no environments (${working.layout.file ? `layout: ${working.layout.file}` : "default layout"})\n`);
  } else {
    for (const e of listed) {
      io.stdout.write(`${e.app}\t${e.name}\t${e.file}\t${e.overlay}\n`);
      for (const w of e.workloads) io.stdout.write(`  ${w.kind}/${w.name}\t${w.image}\n`);
      for (const p of e.problems ?? []) io.stdout.write(`  problem: ${p}\n`);
    }
  }
  return listed.some((e) => e.problems) ? 1 : 0;
}

function workloadOf(o: KubeObject): { name: string; kind: string; image: string } {
  const containers = ((o as { spec?: { template?: { spec?: { containers?: { name?: string; image?: string }[] } } } }).spec?.template?.spec
    ?.containers ?? []) as { name?: string; image?: string }[];
  const main = containers.find((c) => c.name === o.metadata.name) ?? containers[0];
  return { name: o.metadata.name, kind: o.kind, image: main?.image ?? "" };
}
