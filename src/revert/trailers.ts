// The trailers that mark a kustodian revert commit (and a revert pull request's body), so that a
// revert is recognised in git itself: never auto-reverted, never made twice, after any restart.

/** The revert of one environment of one merge, as its trailers say. */
export interface RevertTrailers {
  /** Full SHA of the merge commit that was reverted (`Reverts:`). */
  reverts: string;
  /** The environment whose files were restored (`Kustodian-Revert:`). */
  environment: string;
  /** The pull request that was merged (`Kustodian-Pull-Request:`), when there was one. */
  pullRequest?: number;
  /** Earlier merges the same revert undoes (a last known-good revert, issue 13): more `Reverts:` and `Kustodian-Pull-Request:` lines after the first. */
  alsoReverts?: readonly { sha: string; pullRequest?: number | null }[];
}

const sha = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** The trailer block: `Reverts: <sha>`, `Kustodian-Revert: <env>`, `Kustodian-Pull-Request: <n>`. */
export function formatRevertTrailers(t: RevertTrailers): string {
  if (!sha.test(t.reverts)) throw new Error(`Reverts: needs a full commit SHA, got ${JSON.stringify(t.reverts)}`);
  for (const m of t.alsoReverts ?? [])
    if (!sha.test(m.sha)) throw new Error(`Reverts: needs a full commit SHA, got ${JSON.stringify(m.sha)}`);
  if (!/^[a-z0-9-]+(?:\/[a-z0-9-]+)?$/.test(t.environment))
    throw new Error(`Kustodian-Revert: not an environment name: ${JSON.stringify(t.environment)}`);
  return [
    `Reverts: ${t.reverts}`,
    `Kustodian-Revert: ${t.environment}`,
    ...(t.pullRequest === undefined ? [] : [`Kustodian-Pull-Request: ${t.pullRequest}`]),
    ...(t.alsoReverts ?? []).flatMap((m) => [
      `Reverts: ${m.sha}`,
      ...(m.pullRequest === undefined || m.pullRequest === null ? [] : [`Kustodian-Pull-Request: ${m.pullRequest}`]),
    ]),
  ].join("\n");
}

/** Longest message read for trailers: they are the last lines, and a longer text is not one of kustodian's messages. */
export const trailerMessageLimit = 64 * 1024;

const trailerKey = /^[A-Za-z][A-Za-z0-9-]*$/;

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (line[i] !== " " && line[i] !== "\t" && line[i] !== "\r") return false;
  return true;
}

/**
 * The kustodian revert trailers of a commit message or pull request body, or undefined. Read as
 * git reads trailers: `Key: value` lines of the last paragraph (case-insensitive keys); both
 * `Reverts:` and `Kustodian-Revert:` must be there, so a person's "Reverts: ..." alone is not
 * taken for kustodian's.
 *
 * Linear in the message: one split into lines, a scan back to the last blank line, and per line
 * one indexOf and an anchored key check without backtracking (the regex it replaces took 1.6 s
 * on 65 kB of crafted whitespace). Only the last `trailerMessageLimit` characters are read.
 *
 * Trailers say nothing about who wrote them: callers trust them only on commits (and pull
 * requests) the app made (src/revert/made-by-app.ts).
 */
export function parseRevertTrailers(message: string | null | undefined): RevertTrailers | undefined {
  if (!message) return undefined;
  const text = message.length > trailerMessageLimit ? message.slice(message.length - trailerMessageLimit) : message;
  const lines = text.split("\n");
  let end = lines.length;
  while (end > 0 && isBlank(lines[end - 1]!)) end--;
  let start = end;
  while (start > 0 && !isBlank(lines[start - 1]!)) start--;
  const values = new Map<string, string>();
  for (let i = start; i < end; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    if (colon <= 0 || colon > 64) continue;
    const key = line.slice(0, colon);
    if (!trailerKey.test(key)) continue;
    const value = line.slice(colon + 1).trim();
    if (!value) continue;
    const lower = key.toLowerCase();
    if (!values.has(lower)) values.set(lower, value);
  }
  const reverts = values.get("reverts")?.toLowerCase();
  const environment = values.get("kustodian-revert");
  if (!reverts || !sha.test(reverts) || !environment) return undefined;
  const pr = values.get("kustodian-pull-request")?.replace(/^#/, "");
  const pullRequest = pr !== undefined && /^\d{1,12}$/.test(pr) ? Number(pr) : undefined;
  return { reverts, environment, ...(pullRequest === undefined ? {} : { pullRequest }) };
}

/** Whether a message is kustodian's revert of `mergeSha` in `environment`. */
export function isRevertOf(message: string | null | undefined, mergeSha: string, environment: string): boolean {
  const t = parseRevertTrailers(message);
  return t !== undefined && t.reverts === mergeSha.toLowerCase() && t.environment === environment;
}
