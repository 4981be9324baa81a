import { planScale } from "../commands/scale.ts";
import { planSetImage } from "../commands/set-image.ts";
import type { EditPlan } from "../commands/edit-plan.ts";
import { formatProblem } from "../environments/problems.ts";
import { environmentsOf, findEnvironment } from "../layout/paths.ts";
import { applyChanges } from "../repo/fs-snapshot.ts";
import { readWorkingLayout } from "./working-layout.ts";
import type { CliIo } from "./io.ts";
import { renderFiles } from "./render.ts";

export interface SetOptions {
  what: "image" | "replicas";
  env: string;
  workload: string;
  value: string;
  app?: string;
}

/**
 * `kustodian set image ENV WORKLOAD IMAGE` and `kustodian set replicas ENV WORKLOAD N`: the edit
 * /promote and /scale make (through the yaml Document: comments and formatting survive; only that
 * workload in that environment changes), then that environment's overlay regenerated. Nothing is
 * written when the result would be invalid. Exit 0 done (or nothing to do), 2 refused.
 */
export async function setCommand(io: CliIo, options: SetOptions): Promise<number> {
  const working = await readWorkingLayout(io);
  if (!working) return 2;
  const { root, files } = working;
  const found = findEnvironment(environmentsOf(working.layout, files.keys()), options.env, options.app);
  if (!found.ok) {
    io.stderr.write(
      found.why === "ambiguous"
        ? `kustodian: environment "${options.env}" exists in several apps (${found.apps.join(", ")}): name one with --app APP\n`
        : `kustodian: no environment "${options.app ? `${options.app}/` : ""}${options.env}"; environments: ${found.known.join(", ") || "none"}\n`,
    );
    return 2;
  }
  const ref = found.ref;
  const line = `kustodian set ${options.what} ${options.env} ${options.workload} ${options.value}`;
  let plan: EditPlan;
  if (options.what === "image") {
    plan = planSetImage({ env: ref.key, workload: options.workload, image: options.value, environmentFiles: files, line });
  } else {
    if (!/^\d+$/.test(options.value) || !Number.isSafeInteger(Number(options.value))) {
      io.stderr.write(`kustodian: replicas must be a whole number >= 0, got "${options.value}"\n`);
      return 2;
    }
    plan = planScale({
      command: { kind: "scale", replicas: Number(options.value), workload: options.workload, env: ref.key, line },
      environmentFiles: files,
      touched: [],
    });
  }
  if (!plan.ok) {
    io.stderr.write(`kustodian: ${plainText(plan.reply.split("\n\n").slice(1, -1).join("\n\n"))}\n`);
    return 2;
  }
  if (!plan.changed) {
    io.stdout.write(`${plainText(plan.summary)}\n`);
    return 0;
  }
  const edited = new Map(files).set(plan.file, plan.after);
  const result = await renderFiles(root, edited, { env: ref.key });
  if (result.problems.length) {
    for (const p of result.problems) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write("kustodian: the change would leave an invalid environment; nothing was written\n");
    return 2;
  }
  await applyChanges(root, [{ path: plan.file, before: plan.before, after: plan.after }, ...result.changes]);
  io.stdout.write(`${plainText(plan.summary)}\n`);
  io.stdout.write(`updated ${plan.file}\n`);
  for (const c of result.changes)
    io.stdout.write(`${c.after === undefined ? "deleted" : c.before === undefined ? "created" : "updated"} ${c.path}\n`);
  return 0;
}

/** A reply's Markdown as terminal text: no backticks. */
function plainText(markdown: string): string {
  return markdown.replace(/`/g, "");
}
