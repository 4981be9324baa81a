// `.github/kustodian.yml` read without a webhook context (a verdict can come long after the
// push, or after a restart): the repository's file, else the organisation's `.github`
// repository's, as Probot's context.config reads it.
import { parse } from "yaml";
import { AppConfig, configFileName, parseAppConfig } from "../config/app-config.ts";
import { statusOf } from "../github/http-error.ts";
import type { Log } from "../log/log.ts";
import type { RepoClient } from "./repo-client.ts";

/** The app config in force now; defaults when there is none, and (logged) when it is invalid. */
export async function readAppConfig(gh: RepoClient, log?: Log): Promise<AppConfig> {
  const path = `.github/${configFileName}`;
  for (const repo of [gh.repo.repo, ".github"]) {
    let text: string;
    try {
      const { data } = await gh.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        owner: gh.repo.owner,
        repo,
        path,
        mediaType: { format: "raw" },
      });
      text = typeof data === "string" ? data : "";
    } catch (error) {
      if (statusOf(error) === 404) continue;
      throw error;
    }
    let raw: unknown;
    try {
      raw = parse(text);
    } catch (error) {
      log?.warn({ err: error, repo: `${gh.repo.owner}/${repo}` }, "invalid .github/kustodian.yml; using the defaults");
      return AppConfig.parse({});
    }
    const parsed = parseAppConfig(raw);
    if (parsed.ok) return parsed.config;
    log?.warn({ problems: parsed.problems, repo: `${gh.repo.owner}/${repo}` }, "invalid .github/kustodian.yml; using the defaults");
    return AppConfig.parse({});
  }
  return AppConfig.parse({});
}
