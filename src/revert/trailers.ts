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
}

const sha = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** The trailer block: `Reverts: <sha>`, `Kustodian-Revert: <env>`, `Kustodian-Pull-Request: <n>`. */
export function formatRevertTrailers(t: RevertTrailers): string {
  if (!sha.test(t.reverts)) throw new Error(`Reverts: needs a full commit SHA, got ${JSON.stringify(t.reverts)}`);
  if (!/^[a-z0-9-]+$/.test(t.environment)) throw new Error(`Kustodian-Revert: not an environment name: ${JSON.stringify(t.environment)}`);
  return [
    `Reverts: ${t.reverts}`,
    `Kustodian-Revert: ${t.environment}`,
    ...(t.pullRequest === undefined ? [] : [`Kustodian-Pull-Request: ${t.pullRequest}`]),
  ].join("\n");
}

/**
 * The kustodian revert trailers of a commit message or pull request body, or undefined. Read as
 * git reads trailers: `Key: value` lines of the last paragraph (case-insensitive keys); both
 * `Reverts:` and `Kustodian-Revert:` must be there, so a person's "Reverts: ..." alone is not
 * taken for kustodian's.
 */
export function parseRevertTrailers(message: string | null | undefined): RevertTrailers | undefined {
  if (!message) return undefined;
  const paragraphs = message
    .replace(/\r\n/g, "\n")
    .trim()
    .split(/\n[ \t]*\n/);
  const last = paragraphs[paragraphs.length - 1] ?? "";
  const values = new Map<string, string>();
  for (const line of last.split("\n")) {
    const match = /^([A-Za-z][A-Za-z0-9-]*):[ \t]*(.+?)[ \t]*$/.exec(line);
    if (!match) continue;
    const key = match[1]!.toLowerCase();
    if (!values.has(key)) values.set(key, match[2]!);
  }
  const reverts = values.get("reverts")?.toLowerCase();
  const environment = values.get("kustodian-revert");
  if (!reverts || !sha.test(reverts) || !environment) return undefined;
  const pr = values.get("kustodian-pull-request")?.replace(/^#/, "");
  const pullRequest = pr !== undefined && /^\d+$/.test(pr) ? Number(pr) : undefined;
  return { reverts, environment, ...(pullRequest === undefined ? {} : { pullRequest }) };
}

/** Whether a message is kustodian's revert of `mergeSha` in `environment`. */
export function isRevertOf(message: string | null | undefined, mergeSha: string, environment: string): boolean {
  const t = parseRevertTrailers(message);
  return t !== undefined && t.reverts === mergeSha.toLowerCase() && t.environment === environment;
}
