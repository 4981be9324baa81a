// Where kustodian may write (pure): a pull request's head branch only when the pull request is
// open, not from a fork, and the branch is neither the default branch nor protected. The default
// branch only ever receives reverts (src/rollout). Every path that commits to a head branch — the
// overlay regeneration of a push, /scale, /promote, /allow — asks this one function first, and
// when it says no, posts the change it would have made instead.

export interface HeadBranchState {
  state: "open" | "closed";
  /** The head branch lives in another repository. */
  fork: boolean;
  headRef: string;
  /** The repository's default branch (the pull request payload's `base.repo.default_branch`). */
  defaultBranch: string;
}

export type WriteRefusal = "closed" | "fork" | "default-branch" | "protected";

export type WriteDecision = { write: true } | { write: false; reason: WriteRefusal; why: string };

/**
 * Whether kustodian may commit to this pull request's head branch. `headProtected` is GitHub's
 * answer for the head branch (undefined when it was not read: the other reasons are checked
 * first, so it is read only for a branch that could otherwise be written).
 */
export function mayWriteToHead(pr: HeadBranchState, headProtected: boolean | undefined): WriteDecision {
  if (pr.state !== "open")
    return { write: false, reason: "closed", why: "This pull request is closed: kustodian edits only open pull requests." };
  if (pr.fork)
    return {
      write: false,
      reason: "fork",
      why: "This pull request comes from a fork, and kustodian never pushes to a fork's branch.",
    };
  if (!pr.defaultBranch || pr.headRef === pr.defaultBranch)
    return {
      write: false,
      reason: "default-branch",
      why: `This pull request's head is \`${pr.defaultBranch}\`, the default branch: kustodian commits to the default branch only to revert a failed rollout, never to apply a change that has not been reviewed. Open the pull request from a topic branch.`,
    };
  if (headProtected === true)
    return {
      write: false,
      reason: "protected",
      why: "This pull request's head branch is protected, and kustodian does not push to protected branches.",
    };
  return { write: true };
}
