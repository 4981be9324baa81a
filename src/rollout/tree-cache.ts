// Blob ids by path of commits already read (repo@sha). A commit's tree never changes, so each
// tree is read once across polls and watches; the oldest are forgotten past `capacity`.
import { fullName } from "../github/client.ts";
import { readFilesAt } from "../github/read-files.ts";
import type { RepoClient } from "./repo-client.ts";

export type TreeCache = (gh: RepoClient, sha: string) => Promise<ReadonlyMap<string, string>>;

export function createTreeCache(capacity: number): TreeCache {
  const trees = new Map<string, Promise<ReadonlyMap<string, string>>>();
  return (gh, sha) => {
    const key = `${fullName(gh.repo)}@${sha}`;
    let read = trees.get(key);
    if (!read) {
      read = readFilesAt(gh.octokit, gh.repo, sha, () => false).then((f) => f.blobs);
      read.catch(() => trees.delete(key));
      trees.set(key, read);
      if (trees.size > capacity) trees.delete(trees.keys().next().value!);
    }
    return read;
  };
}
