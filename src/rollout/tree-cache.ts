// Blob ids by path of commits already read (repo@sha), with each commit's layout (src/layout; its
// layout file is the only file read). A commit's tree never changes, so each
// tree is read once across polls and watches; the oldest are forgotten past `capacity`.
import { fullName } from "../github/client.ts";
import { readFilesAt } from "../github/read-files.ts";
import { isLayoutFile, type RepositoryLayout } from "../layout/layout.ts";
import { layoutOfFiles } from "../layout/parse-layout.ts";
import type { RepoClient } from "./repo-client.ts";

/** A commit's blob ids by path, and its layout (undefined when its layout file is invalid). */
export interface CommitTree {
  blobs: ReadonlyMap<string, string>;
  layout: RepositoryLayout | undefined;
}

export type TreeCache = (gh: RepoClient, sha: string) => Promise<CommitTree>;

export function createTreeCache(capacity: number): TreeCache {
  const trees = new Map<string, Promise<CommitTree>>();
  return (gh, sha) => {
    const key = `${fullName(gh.repo)}@${sha}`;
    let read = trees.get(key);
    if (!read) {
      read = readFilesAt(gh.octokit, gh.repo, sha, isLayoutFile).then((f) => {
        const layout = layoutOfFiles(f.files);
        return { blobs: f.blobs, layout: layout.ok ? layout.layout : undefined };
      });
      read.catch(() => trees.delete(key));
      trees.set(key, read);
      if (trees.size > capacity) trees.delete(trees.keys().next().value!);
    }
    return read;
  };
}
