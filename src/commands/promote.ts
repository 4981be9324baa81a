import { editEnvironmentFile, EnvironmentEditError, type FieldEdit } from "../environments/edit.ts";
import { formatEditReply, refuse, type EditPlan, type ReplyOptions } from "./edit-plan.ts";
import { editFailed, indexEnvironments, invalidEnvironment, lookupEnvironment, type EnvironmentEntry } from "./environment-files.ts";
import { code, listOf, plain } from "./markdown.ts";

/**
 * Why `image` may not be deployed to `env`, or undefined when it may. Issue 7's held images
 * (recorded in the environment file when kustodian reverts) plug in here.
 */
export type HeldImage = (env: string, image: string) => string | undefined;

export interface PromoteInput {
  from: string;
  to: string;
  /** The app of both environments, when their names alone are ambiguous (`/promote staging prod shop`). */
  app?: string;
  /** Environment files at the PR head: path (environments/<env>.yaml) -> text. */
  environmentFiles: ReadonlyMap<string, string>;
  /** Checked for every image the promotion would write into TO; any reason refuses the whole promotion. */
  held?: HeldImage;
  /** The command line to quote in the reply; default `/promote FROM TO`. */
  line?: string;
}

export interface ImageChange {
  workload: string;
  from: string;
  to: string;
}

export type PromotePlan = EditPlan<{ from: string; changes: ImageChange[] }>;

/**
 * /promote FROM TO, decided: for each workload in both files, TO gets FROM's image; nothing else
 * in TO changes (replicas, resources and config are per environment). Workloads in only one of the
 * two files are left alone and named in the summary. All or nothing: if any image to be written
 * is held in TO, nothing is promoted. Pass `{ ...command, environmentFiles }` from a parsed
 * PromoteCommand.
 */
export function planPromote(input: PromoteInput): PromotePlan {
  const line = input.line ?? `/promote ${input.from} ${input.to}`;
  const environments = indexEnvironments(input.environmentFiles);
  const found: EnvironmentEntry[] = [];
  for (const name of [input.from, input.to]) {
    const entry = lookupEnvironment(environments, name, input.app);
    if (typeof entry === "string") return refuse(line, entry);
    if (!entry.parsed.ok) return refuse(line, invalidEnvironment(entry));
    found.push(entry);
  }
  const [source, target] = found as [EnvironmentEntry, EnvironmentEntry];
  const from = source.name;
  const to = target.name;
  if (from === to) return refuse(line, `${code(from)} is both FROM and TO: there is nothing to promote.`);

  if (!source.parsed.ok || !target.parsed.ok) throw new Error("unreachable: both files were checked");
  const fromWorkloads = source.parsed.env.workloads;
  const toWorkloads = target.parsed.env.workloads;

  // Workloads whose image either file leaves to the base have no image to promote.
  const shared = Object.keys(toWorkloads).filter(
    (w) => Object.hasOwn(fromWorkloads, w) && fromWorkloads[w]!.image && toWorkloads[w]!.image,
  );
  const changes: ImageChange[] = shared
    .map((w) => ({ workload: w, from: toWorkloads[w]!.image!, to: fromWorkloads[w]!.image! }))
    .filter((c) => c.from !== c.to);
  const same = shared.filter((w) => !changes.some((c) => c.workload === w));
  const onlyFrom = Object.keys(fromWorkloads).filter((w) => !Object.hasOwn(toWorkloads, w));
  const onlyTo = Object.keys(toWorkloads).filter((w) => !Object.hasOwn(fromWorkloads, w));

  const holds = input.held
    ? changes.flatMap((c) => {
        const reason = input.held!(to, c.to);
        return reason === undefined ? [] : [`- ${code(c.to)} (for ${code(c.workload)}): ${plain(reason)}`];
      })
    : [];
  if (holds.length > 0) {
    return refuse(
      line,
      [
        `Not promoting ${code(from)} → ${code(to)}: ${holds.length === 1 ? "an image is" : "images are"} held in ${code(to)}.`,
        ...holds,
      ].join("\n"),
    );
  }

  const notes = [
    same.length ? `Already the same: ${listOf(same.map(code))}.` : "",
    onlyFrom.length ? `Only in ${code(from)}, not promoted: ${listOf(onlyFrom.map(code))}.` : "",
    onlyTo.length ? `Only in ${code(to)}, left as is: ${listOf(onlyTo.map(code))}.` : "",
  ].filter((n) => n !== "");
  const base = { ok: true as const, env: to, file: target.file, before: target.text, line, from, changes };

  if (changes.length === 0) {
    const why =
      shared.length === 0
        ? `${code(from)} and ${code(to)} have no workload in common.`
        : `${code(to)} already runs ${code(from)}'s images.`;
    return { ...base, changed: false, after: target.text, summary: [`Nothing to promote: ${why}`, ...notes].join("\n") };
  }

  const edits: FieldEdit[] = changes.map((c) => ({ path: ["workloads", c.workload, "image"], value: c.to }));
  let after: string;
  try {
    after = editEnvironmentFile(target.file, target.text, edits);
  } catch (error) {
    if (error instanceof EnvironmentEditError) return refuse(line, editFailed(target.file, error.message));
    throw error;
  }
  const summary = [
    `Promoted ${code(from)} → ${code(to)} in ${code(target.file)}:`,
    ...changes.map((c) => `- ${code(c.workload)}: ${code(c.from)} → ${code(c.to)}`),
    ...(notes.length ? ["", ...notes] : []),
  ].join("\n");
  return { ...base, changed: true, after, summary };
}

export function formatPromoteReply(plan: PromotePlan, options: ReplyOptions = {}): string {
  return formatEditReply(plan, options);
}
