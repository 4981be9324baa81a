import { planMarkdown } from "../plan/markdown.ts";
import { planForTrees } from "../repo/plan-for-trees.ts";
import { readGitSnapshot, resolveCommit } from "../repo/git-snapshot.ts";
import type { CliIo } from "./io.ts";

export interface PlanOptions {
  base: string;
  head: string;
  format: "markdown" | "json";
  /** Report findings on unchanged workloads too. */
  all?: boolean;
}

/** `kustodian plan --base REF [--head REF] [--format markdown|json] [--all]`: exit 1 when the plan has blocking findings. */
export async function planCommand(io: CliIo, options: PlanOptions): Promise<number> {
  const [baseSha, headSha] = await Promise.all([resolveCommit(io.cwd, options.base), resolveCommit(io.cwd, options.head)]);
  const [baseFiles, headFiles] = await Promise.all([readGitSnapshot(io.cwd, baseSha), readGitSnapshot(io.cwd, headSha)]);
  const plan = await planForTrees(baseFiles, headFiles, { base: options.base, head: options.head }, { allFindings: options.all === true });
  io.stdout.write(options.format === "json" ? `${JSON.stringify(plan, null, 2)}\n` : planMarkdown(plan));
  return plan.blocking ? 1 : 0;
}
