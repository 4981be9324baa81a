// Revert trailers are text anyone can write — in a pull request body, in a person's commit. They
// count only on what the app itself made (issue 11: a fake trailer exempted a merge from the
// auto-revert): a commit GitHub says the app's bot authored and GitHub (or the bot) committed
// with a verified signature — what createCommitOnBranch gives the app's commits — or a pull
// request the app opened from its own revert branch.
import { revertBranchName } from "./build-revert.ts";
import { parseRevertTrailers, type RevertTrailers } from "./trailers.ts";

/** GitHub's account for commits made in its UI or through createCommitOnBranch. */
const gitHubCommitter = "web-flow";

function bare(login: string): string {
  return login.toLowerCase().replace(/\[bot\]$/, "");
}

export interface CommitAuthorship {
  /** GitHub accounts matched to the author and committer, null when none. */
  author: string | null;
  committer: string | null;
  /** GitHub verified the commit's signature. */
  verified: boolean;
}

/**
 * Whether the app made this commit. The author alone is not enough (a person can set their git
 * author email to the bot's); the signature GitHub verified is tied to the committer, which must
 * be GitHub itself or the bot.
 */
export function madeByApp(commit: CommitAuthorship, botLogin: string): boolean {
  if (!commit.verified || commit.author === null || commit.committer === null) return false;
  const bot = bare(botLogin);
  return bare(commit.author) === bot && (commit.committer === gitHubCommitter || bare(commit.committer) === bot);
}

/** The revert trailers of a commit, only when the app made it. */
export function appRevertOfCommit(commit: CommitAuthorship & { message: string }, botLogin: string): RevertTrailers | undefined {
  const trailers = parseRevertTrailers(commit.message);
  return trailers && madeByApp(commit, botLogin) ? trailers : undefined;
}

/**
 * The revert trailers of a pull request's body, only when the app opened it from the branch it
 * makes for exactly that revert (`kustodian/revert/<env>/<sha>`): an edited body cannot point
 * the trailers at another merge or environment.
 */
export function appRevertOfPullRequest(
  pr: { body: string; author: string | null; headRef: string },
  botLogin: string,
): RevertTrailers | undefined {
  if (pr.author === null || bare(pr.author) !== bare(botLogin)) return undefined;
  const trailers = parseRevertTrailers(pr.body);
  return trailers && pr.headRef === revertBranchName(trailers.environment, trailers.reverts) ? trailers : undefined;
}
