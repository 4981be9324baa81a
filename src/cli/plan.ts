import { defaultLayout, layoutFiles } from "../layout/layout.ts";
import { planMarkdown } from "../plan/markdown.ts";
import { secretWordsOf } from "../plan/secret-values.ts";
import { appConfigAt } from "../repo/app-config-at.ts";
import { planTrees } from "../repo/plan-for-trees.ts";
import { readGitSnapshot, resolveCommit } from "../repo/git-snapshot.ts";
import { repositoryRoot } from "../repo/working-tree.ts";
import type { CliIo } from "./io.ts";

export interface PlanOptions {
  base: string;
  head: string;
  format: "markdown" | "json";
  /** Report findings on unchanged workloads too. */
  all?: boolean;
}

/**
 * `kustodian plan --base REF [--head REF] [--format markdown|json] [--all]`: exit 1 when the plan has
 * blocking findings, when neither tree has an environment (nothing was planned), or when
 * `.github/kustodian.yml` is invalid. Values are masked with the same secret key words as the app:
 * the defaults plus `secrets.keyWords` of `.github/kustodian.yml`, at the base and at the head
 * (words only ever add masking, so a change cannot unmask by removing one).
 */
export async function planCommand(io: CliIo, options: PlanOptions): Promise<number> {
  const root = await repositoryRoot(io.cwd);
  const [baseSha, headSha] = await Promise.all([resolveCommit(root, options.base), resolveCommit(root, options.head)]);
  const configs = await Promise.all([appConfigAt(root, baseSha), appConfigAt(root, headSha)]);
  const problems = configs.flatMap((c, i) => (c.ok ? [] : c.problems.map((p) => `${[options.base, options.head][i]}: ${p}`)));
  if (problems.length) {
    io.stderr.write(`${problems.join("\n")}\nkustodian: .github/kustodian.yml is invalid; nothing was planned\n`);
    return 1;
  }
  const [baseFiles, headFiles] = await Promise.all([readGitSnapshot(root, baseSha), readGitSnapshot(root, headSha)]);
  const { plan, environmentsFound, layoutFile } = await planTrees(
    baseFiles,
    headFiles,
    { base: options.base, head: options.head },
    { allFindings: options.all === true, secretWords: secretWordsOf(...configs.flatMap((c) => (c.ok ? [c.config] : []))) },
  );
  if (environmentsFound === 0) {
    io.stderr.write(
      `kustodian: no environments found in ${options.base} or ${options.head} (${layoutFile ? `layout: ${layoutFile}` : `no ${layoutFiles[0]}: looked for ${defaultLayout.apps[0]!.environments}`}); nothing to plan\n`,
    );
    return 1;
  }
  io.stdout.write(options.format === "json" ? `${JSON.stringify(plan, null, 2)}\n` : planMarkdown(plan));
  return plan.blocking ? 1 : 0;
}
