import type { GitHubClient, RepoRef } from "./client.ts";
import { statusOf } from "./http-error.ts";

export type RepositoryPermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

const ranked: readonly RepositoryPermission[] = ["none", "read", "triage", "write", "maintain", "admin"];

/** Whether `actual` is at least `needed` (admin > maintain > write > triage > read > none). */
export function permits(actual: RepositoryPermission, needed: RepositoryPermission): boolean {
  return ranked.indexOf(actual) >= ranked.indexOf(needed);
}

/**
 * A user's permission on a repository, in ONE call
 * (GET /repos/{owner}/{repo}/collaborators/{username}/permission).
 *
 * `role_name` is used when it is one of the five base roles: the legacy `permission` field maps
 * maintain to write and triage to read. A custom repository role's `role_name` is its own name,
 * so for one the `user.permissions` flags decide, and failing those `permission`. A 404 (no
 * such user, or not visible to the app) is `none`; other errors are rethrown.
 */
export async function repositoryPermission(
  octokit: GitHubClient,
  input: { repo: RepoRef; username: string },
): Promise<RepositoryPermission> {
  let data: {
    permission?: string;
    role_name?: string;
    user?: { permissions?: { admin?: boolean; maintain?: boolean; push?: boolean; triage?: boolean; pull?: boolean } } | null;
  };
  try {
    ({ data } = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", {
      owner: input.repo.owner,
      repo: input.repo.repo,
      username: input.username,
    }));
  } catch (error) {
    if (statusOf(error) === 404) return "none";
    throw error;
  }
  const role = baseRole(data.role_name);
  if (role) return role;
  const flags = data.user?.permissions;
  if (flags) {
    if (flags.admin) return "admin";
    if (flags.maintain) return "maintain";
    if (flags.push) return "write";
    if (flags.triage) return "triage";
    if (flags.pull) return "read";
  }
  return baseRole(data.permission) ?? "none";
}

function baseRole(name: string | undefined): RepositoryPermission | undefined {
  const lower = name?.toLowerCase();
  if (lower === "pull") return "read";
  if (lower === "push") return "write";
  return ranked.find((r) => r === lower);
}
