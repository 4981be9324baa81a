// `.github/kustodian.yml` as a commit holds it, for the CLI (the app reads it through the API from
// the default branch: src/rollout/read-app-config.ts). Parsed by the one schema, src/config/app-config.ts.
import { AppConfig, configFileName, parseAppConfigText, type ConfigResult } from "../config/app-config.ts";
import { readGitSnapshot } from "./git-snapshot.ts";

export const appConfigPath = `.github/${configFileName}`;

/** The app config at `ref`: the defaults when the commit has no such file; located problems when it is invalid. */
export async function appConfigAt(repoDir: string, ref: string): Promise<ConfigResult> {
  const files = await readGitSnapshot(repoDir, ref, (path) => path === appConfigPath);
  const text = files.get(appConfigPath);
  return text === undefined ? { ok: true, config: AppConfig.parse({}) } : parseAppConfigText(text, appConfigPath);
}
