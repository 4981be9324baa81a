// `.github/kustodian.yml` read without a webhook context (a verdict can come long after the
// push, or after a restart): the repository's file, else the organisation's `.github`
// repository's, as Probot's context.config reads it.
import { AppConfig, configFileName, parseAppConfigText } from "../config/app-config.ts";
import { readConfigText } from "../github/read-config.ts";
import type { Log } from "../log/log.ts";
import type { RepoClient } from "./repo-client.ts";

/** The app config in force now; defaults when there is none, and (logged) when it is invalid. `sideBySide`: see readConfigText. */
export async function readAppConfig(gh: RepoClient, log?: Log, options: { sideBySide?: boolean } = {}): Promise<AppConfig> {
  const found = await readConfigText(gh.octokit, gh.repo, `.github/${configFileName}`, options);
  if (!found) return AppConfig.parse({});
  const parsed = parseAppConfigText(found.text);
  if (parsed.ok) return parsed.config;
  log?.warn({ problems: parsed.problems, repo: `${gh.repo.owner}/${found.repo}` }, "invalid .github/kustodian.yml; using the defaults");
  return AppConfig.parse({});
}
