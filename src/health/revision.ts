import { HealthInputError } from "./errors.ts";

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The merge SHA, lower-cased. Only full SHA-1 (40) or SHA-256 (64) hex is accepted: Argo CD
 * and Flux always report full SHAs, and a short prefix could match another commit.
 */
export function fullSha(sha: string): string {
  const lower = sha.trim().toLowerCase();
  if (!FULL_SHA.test(lower)) throw new HealthInputError(`mergeSha must be a full commit SHA, got "${sha}"`);
  return lower;
}

/**
 * Whether a reported revision names the commit: Argo CD's bare SHA, Flux's `main@sha1:<sha>`
 * (also `refs/heads/main@sha1:<sha>`, `sha1:<sha>`) or older `main/<sha>`. Exact, never a prefix.
 */
export function revisionNamesSha(revision: string | null | undefined, sha: string): boolean {
  if (!revision) return false;
  return revision.trim().toLowerCase().split(/[@:/]/).pop() === sha;
}
