// What a person reads on the pull request when kustodian could not finish: what went wrong in
// words they can act on. Octokit's errors carry the HTTP status, GitHub's raw message and the
// request URL (api.github.com, or an internal GitHub Enterprise host): none of that is quoted.
import { graphqlErrorsOf, statusOf } from "./http-error.ts";
import { RateLimitedError } from "./rate-limit.ts";
import { TreeTruncatedError, UnreadableFileError } from "./read-files.ts";

const maxMessage = 600;

/** A URL (any scheme-ful address) is not shown: it may name an internal host. */
function withoutUrls(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s)>\]]+/gi, "(address not shown)");
}

/** One sentence for the pull request; never the raw HTTP error or a URL. */
export function userMessageOf(error: unknown): string {
  if (error instanceof RateLimitedError)
    return `GitHub's rate limit for kustodian was reached (it asked to wait ${error.waitSeconds} s). Push again or comment \`/plan\` later.`;
  if (error instanceof UnreadableFileError) {
    const why =
      error.reason === "oversized"
        ? "is too large for kustodian to read"
        : error.reason === "symlink"
          ? "is a symbolic link, which kustodian does not follow"
          : error.reason === "binary"
            ? "is not a text file"
            : "could not be found";
    return `\`${error.path.replace(/`/g, "'")}\` ${why}. Change or remove it and push again.`;
  }
  if (error instanceof TreeTruncatedError)
    return "The repository's file tree is too large for GitHub to return in one request, so kustodian cannot read it.";
  const status = statusOf(error);
  if (status !== undefined) {
    if (status === 401 || status === 403)
      return "GitHub refused kustodian's request: check that the kustodian app is installed on this repository with the permissions it asks for (contents, pull requests, checks, deployments).";
    if (status === 404)
      return "GitHub could not find something kustodian needed (a branch, commit or file): it may have been deleted or renamed. Push again.";
    if (status === 409 || status === 422)
      return "GitHub rejected kustodian's change (a conflict or a validation error). Push again or comment `/plan`.";
    if (status >= 500) return "GitHub had a temporary problem while kustodian was working. Push again or comment `/plan` to retry.";
    return `GitHub refused kustodian's request (HTTP ${status}). Push again or comment \`/plan\` to retry.`;
  }
  if (graphqlErrorsOf(error).length > 0) return "GitHub rejected kustodian's request. Push again or comment `/plan` to retry.";
  const message = error instanceof Error ? error.message : String(error);
  const text = withoutUrls(message).replace(/\s+/g, " ").trim();
  return text.length > maxMessage ? `${text.slice(0, maxMessage)}…` : text || "an unexpected error";
}
