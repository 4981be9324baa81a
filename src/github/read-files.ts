import { blobCache as defaultBlobCache, type BlobCache } from "./blob-cache.ts";
import type { GitHubClient, RepoRef } from "./client.ts";
import { maxReadRounds, pathsToRead } from "../layout/paths-to-read.ts";

/** GET /git/trees answered `truncated: true`: the tree has more entries than one response holds. */
export class TreeTruncatedError extends Error {
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
  constructor(repo: RepoRef, sha: string) {
    super(
      `The recursive tree of ${repo.owner}/${repo.repo} at ${sha} is truncated by GitHub (over 100,000 entries or 7 MB); ` +
        "kustodian reads a repository's tree in one request and cannot see every file of one this large",
    );
    this.name = "TreeTruncatedError";
    this.owner = repo.owner;
    this.repo = repo.repo;
    this.sha = sha;
  }
}

export type UnreadableReason = "binary" | "oversized" | "symlink" | "missing";

/** A wanted file whose content cannot be read as text. */
export class UnreadableFileError extends Error {
  readonly path: string;
  readonly reason: UnreadableReason;
  constructor(path: string, reason: UnreadableReason, detail: string) {
    super(`${path}: ${detail}`);
    this.name = "UnreadableFileError";
    this.path = path;
    this.reason = reason;
  }
}

export interface FilesAt {
  /** The SHA of the commit's root tree. */
  treeSha: string;
  /** Text of every wanted file, by path. */
  files: Map<string, string>;
  /**
   * Blob SHA of every regular file in the tree (wanted or not), by path: enough to tell which
   * files exist, and whether two commits hold the same content, without reading them.
   */
  blobs: Map<string, string>;
}

export interface ReadFilesOptions {
  /** Defaults to the process-wide cache. */
  cache?: BlobCache;
  /** A wanted file larger than this is refused without being read. Default 1 MiB. */
  maxFileBytes?: number;
  /** Most blobs per GraphQL request. Default (and GitHub's node limit per request) 100. */
  maxBlobsPerRequest?: number;
  /** Most blob bytes (sizes from the tree) per GraphQL request. Default 8 MiB. */
  maxBytesPerRequest?: number;
}

interface TreeEntry {
  path: string;
  mode: string;
  type: string;
  sha: string;
  size?: number;
}

interface BlobNode {
  text?: string | null;
  isBinary?: boolean;
  isTruncated?: boolean;
  byteSize?: number;
}

const shaPattern = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i;

/**
 * The wanted files of a commit, in a number of API calls that does not grow with the number of
 * files: ONE recursive tree read (REST), then the wanted blobs that are not cached in ONE GraphQL
 * request per 100 blobs (aliases `b0: object(oid: $b0) { ... on Blob { ... } }`). Blobs already
 * in the cache cost nothing, so a second read of the same files is one call.
 *
 * Throws TreeTruncatedError when GitHub truncates the tree, and UnreadableFileError (naming the
 * path) for a wanted file that is binary, larger than the limit, or a symlink.
 * Submodules and directories are never "files" here.
 */
export async function readFilesAt(
  octokit: GitHubClient,
  repo: RepoRef,
  commitSha: string,
  wanted: (path: string) => boolean,
  options: ReadFilesOptions = {},
): Promise<FilesAt> {
  return readSelectedFilesAt(octokit, repo, commitSha, (tree, read) => (read.size === 0 ? tree.filter(wanted) : []), options);
}

/**
 * The files kustodian reads from a commit: the rounds of src/layout's pathsToRead (the layout
 * file, then the environments, overlays and bases it declares, then what their kustomizations
 * refer to elsewhere in the repository), on ONE tree read; each round that needs blobs not in the
 * cache is one GraphQL request.
 */
export async function readGitOpsFilesAt(
  octokit: GitHubClient,
  repo: RepoRef,
  commitSha: string,
  options: ReadFilesOptions = {},
): Promise<FilesAt> {
  return (await readSelectedFilesAtCommits(octokit, repo, [commitSha], pathsToRead, options))[0]!;
}

/**
 * readGitOpsFilesAt for several commits at once (a pull request's base and head): one tree read
 * per commit, and the rounds run side by side, so each round that needs blobs is ONE GraphQL
 * request for all the commits (blobs they share are asked once). Results in the order of
 * `commitShas`; a file the first commit cannot read is reported before the second's.
 */
export function readGitOpsFilesAtCommits(
  octokit: GitHubClient,
  repo: RepoRef,
  commitShas: readonly string[],
  options: ReadFilesOptions = {},
): Promise<FilesAt[]> {
  return readSelectedFilesAtCommits(octokit, repo, commitShas, pathsToRead, options);
}

async function readSelectedFilesAt(
  octokit: GitHubClient,
  repo: RepoRef,
  commitSha: string,
  select: (tree: readonly string[], read: ReadonlyMap<string, string>) => readonly string[],
  options: ReadFilesOptions,
): Promise<FilesAt> {
  return (await readSelectedFilesAtCommits(octokit, repo, [commitSha], select, options))[0]!;
}

interface CommitRead {
  treeSha: string;
  entries: Map<string, TreeEntry>;
  paths: string[];
  blobs: Map<string, string>;
  files: Map<string, string>;
  done: boolean;
}

async function readTree(octokit: GitHubClient, repo: RepoRef, commitSha: string): Promise<CommitRead> {
  const { data: tree } = await octokit.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
    owner: repo.owner,
    repo: repo.repo,
    tree_sha: commitSha,
    recursive: "1",
  });
  if (tree.truncated) throw new TreeTruncatedError(repo, commitSha);

  const blobs = new Map<string, string>();
  const entries = new Map<string, TreeEntry>();
  for (const raw of tree.tree) {
    if (raw.type !== "blob" || raw.path === undefined || raw.sha === undefined || raw.mode === undefined) continue;
    const entry: TreeEntry = {
      path: raw.path,
      mode: raw.mode,
      type: raw.type,
      sha: raw.sha,
      ...(raw.size === undefined ? {} : { size: raw.size }),
    };
    if (entry.mode !== "120000") blobs.set(entry.path, entry.sha);
    entries.set(entry.path, entry);
  }
  return { treeSha: tree.sha, entries, paths: [...entries.keys()], blobs, files: new Map(), done: false };
}

async function readSelectedFilesAtCommits(
  octokit: GitHubClient,
  repo: RepoRef,
  commitShas: readonly string[],
  select: (tree: readonly string[], read: ReadonlyMap<string, string>) => readonly string[],
  options: ReadFilesOptions,
): Promise<FilesAt[]> {
  const cache = options.cache ?? defaultBlobCache;
  const maxFileBytes = options.maxFileBytes ?? 1024 * 1024;
  const maxBlobs = Math.min(options.maxBlobsPerRequest ?? 100, 100);
  const maxBytes = options.maxBytesPerRequest ?? 8 * 1024 * 1024;

  // One tree per distinct commit (a pull request whose head is its base reads it once).
  // Read side by side; a failure is reported for the first commit in the given order.
  const distinct = [...new Set(commitShas)];
  const settled = await Promise.allSettled(distinct.map((sha) => readTree(octokit, repo, sha)));
  const reads = new Map<string, CommitRead>();
  settled.forEach((result, i) => {
    if (result.status === "rejected") throw result.reason;
    reads.set(distinct[i]!, result.value);
  });

  for (let round = 0; round < maxReadRounds; round++) {
    const wanted: { read: CommitRead; entries: TreeEntry[] }[] = [];
    for (const sha of distinct) {
      const read = reads.get(sha)!;
      if (read.done) continue;
      const next = select(read.paths, read.files).filter((p) => !read.files.has(p) && read.entries.has(p));
      if (next.length === 0) {
        read.done = true;
        continue;
      }
      const entries = next.map((p) => read.entries.get(p)!);
      for (const entry of entries) {
        if (entry.mode === "120000") throw new UnreadableFileError(entry.path, "symlink", "is a symbolic link, not a file");
        if (entry.size !== undefined && entry.size > maxFileBytes) {
          throw new UnreadableFileError(entry.path, "oversized", `is ${entry.size} bytes, more than the ${maxFileBytes} kustodian reads`);
        }
      }
      wanted.push({ read, entries });
    }
    if (wanted.length === 0) break;

    // Unique blobs not in the cache, commit by commit in path order; identical files share one blob.
    const missing = new Map<string, TreeEntry>();
    for (const { entries } of wanted)
      for (const entry of entries) if (cache.get(entry.sha) === undefined && !missing.has(entry.sha)) missing.set(entry.sha, entry);
    const fetched = new Map<string, string>();
    let failure: UnreadableFileError | undefined;
    for (const chunk of chunks([...missing.values()], maxBlobs, maxBytes)) {
      const nodes = await fetchBlobs(
        octokit,
        repo,
        chunk.map((e) => e.sha),
      );
      chunk.forEach((entry, i) => {
        const problem = blobProblem(entry, nodes[i], maxFileBytes);
        if (problem) {
          failure ??= problem;
          return;
        }
        const text = nodes[i]!.text!;
        fetched.set(entry.sha, text);
        cache.set(entry.sha, text);
      });
    }
    if (failure) throw failure;

    for (const { read, entries } of wanted) {
      for (const entry of entries) {
        const text = fetched.get(entry.sha) ?? cache.get(entry.sha);
        // Evicted between the lookup and now (a tiny cache); never expected with the default.
        if (text === undefined) throw new UnreadableFileError(entry.path, "missing", "was evicted from the blob cache while being read");
        read.files.set(entry.path, text);
      }
    }
  }
  return commitShas.map((sha) => {
    const read = reads.get(sha)!;
    return {
      treeSha: read.treeSha,
      files: new Map([...read.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      blobs: new Map(read.blobs),
    };
  });
}

async function fetchBlobs(octokit: GitHubClient, repo: RepoRef, shas: string[]): Promise<(BlobNode | null | undefined)[]> {
  for (const sha of shas) if (!shaPattern.test(sha)) throw new Error(`Not a git object id: ${JSON.stringify(sha)}`);
  const variables: Record<string, string> = { owner: repo.owner, name: repo.repo };
  shas.forEach((sha, i) => (variables[`b${i}`] = sha));
  const result = await octokit.graphql<{ repository: Record<string, BlobNode | null> | null }>(blobsQuery(shas.length), variables);
  const repository = result.repository ?? {};
  return shas.map((_, i) => repository[`b${i}`]);
}

/** The GraphQL query reading `count` blobs by object id: `b0` ... `b{count-1}`, as aliases and variables. */
export function blobsQuery(count: number): string {
  const declarations = Array.from({ length: count }, (_, i) => `$b${i}: GitObjectID!`).join(", ");
  const fields = Array.from(
    { length: count },
    (_, i) => `b${i}: object(oid: $b${i}) { ... on Blob { text isBinary isTruncated byteSize } }`,
  );
  return `query ($owner: String!, $name: String!, ${declarations}) { repository(owner: $owner, name: $name) { ${fields.join(" ")} } }`;
}

function blobProblem(entry: TreeEntry, node: BlobNode | null | undefined, maxFileBytes: number): UnreadableFileError | undefined {
  if (!node || node.isBinary === undefined) return new UnreadableFileError(entry.path, "missing", `blob ${entry.sha} was not found`);
  if (node.isBinary) return new UnreadableFileError(entry.path, "binary", "is a binary file; kustodian reads only text");
  if (node.isTruncated || (node.byteSize ?? 0) > maxFileBytes || typeof node.text !== "string") {
    return new UnreadableFileError(
      entry.path,
      "oversized",
      `is ${node.byteSize ?? "too many"} bytes, more than GitHub returns or kustodian reads`,
    );
  }
  return undefined;
}

function* chunks(entries: TreeEntry[], maxCount: number, maxBytes: number): Generator<TreeEntry[]> {
  let current: TreeEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entry.size ?? 0;
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      yield current;
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) yield current;
}
