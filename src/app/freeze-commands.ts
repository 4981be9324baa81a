// `/freeze [env] reason` and `/unfreeze [env]`: recorded as issues (src/app/freeze-record.ts), then
// every open pull request's kustodian/freeze check is published again (red, or green again).
import type { FreezeCommand, UnfreezeCommand } from "../commands/command.ts";
import { code, plain, quoteCommand } from "../commands/markdown.ts";
import type { GitHubClient, RepoRef } from "../github/client.ts";
import { readFilesAt } from "../github/read-files.ts";
import { isLayoutFile } from "../layout/layout.ts";
import { layoutOfFiles } from "../layout/parse-layout.ts";
import { environmentsOf } from "../layout/paths.ts";
import { liftFreezes, readFreezes, recordFreeze } from "./freeze-record.ts";

export interface FreezeCommands {
  run(
    command: FreezeCommand | UnfreezeCommand,
    context: { by: string; pr: RepoRef & { number: number; baseSha: string } },
  ): Promise<string>;
}

export interface FreezeCommandDeps {
  octokit: GitHubClient;
  botLogin: string;
  now: () => Date;
  /** Re-evaluates every open pull request of the repository, the freeze check always published. */
  reevaluateOpen: () => Promise<void>;
}

export function freezeCommands(deps: FreezeCommandDeps): FreezeCommands {
  return {
    async run(command, { by, pr }) {
      const repo: RepoRef = { owner: pr.owner, repo: pr.repo };
      const quote = quoteCommand(command.line);
      if (command.kind === "freeze") {
        const environments = await environmentNames(deps.octokit, repo, pr.baseSha);
        const [first = "", ...rest] = command.reason.split(/\s+/);
        const named = first === "all" || environments.includes(first);
        const environment = named ? first : "all";
        const reason = (named ? rest.join(" ") : command.reason).trim();
        if (!reason) return `${quote}\n\nSay why: \`/freeze ${environment} <reason>\`. Nothing was frozen.`;
        const existing = (await readFreezes(deps.octokit, repo, deps.botLogin)).find((f) => f.environment === environment);
        if (existing)
          return `${quote}\n\n${code(environment)} is already frozen by @${existing.by}: ${plain(existing.reason)} ([record](${existing.url})).`;
        const issue = await recordFreeze(deps.octokit, repo, {
          environment,
          reason: reason.slice(0, 300),
          by,
          since: deps.now(),
          requestedIn: pr.number,
        });
        await deps.reevaluateOpen();
        const what = environment === "all" ? "Every environment" : code(environment);
        return `${quote}\n\n${what} is frozen: ${plain(reason)}. Recorded in ${issue.url}. Pull requests that change it get a failing \`kustodian/freeze\` check (reverts excepted) until \`/unfreeze${environment === "all" ? "" : ` ${environment}`}\`.`;
      }
      const environment = command.env ?? "all";
      const lifted = await liftFreezes(deps.octokit, repo, await readFreezes(deps.octokit, repo, deps.botLogin), {
        environment,
        by,
        requestedIn: pr.number,
      });
      if (lifted.length === 0)
        return `${quote}\n\nThere is no \`/freeze\` on ${code(environment)}. Freeze windows in \`.github/kustodian.yml\` end by themselves.`;
      await deps.reevaluateOpen();
      return `${quote}\n\nLifted: ${lifted.map((f) => `${code(f.environment)} (${plain(f.reason)}, set by @${f.by})`).join(", ")}. Freeze windows in \`.github/kustodian.yml\` still apply.`;
    },
  };
}

/** The environments (keys, src/layout) of a commit: one tree read, the layout file its only blob. */
async function environmentNames(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<string[]> {
  const { files, blobs } = await readFilesAt(octokit, repo, sha, isLayoutFile);
  const layout = layoutOfFiles(files);
  return layout.ok ? [...new Set(environmentsOf(layout.layout, blobs.keys()).map((e) => e.key))] : [];
}
