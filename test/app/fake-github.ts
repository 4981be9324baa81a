// A stateful GitHub stand-in at the HTTP boundary (nock), backed by a real git repository:
// trees and blobs come from git's object store, and createCommitOnBranch writes real commits
// with git plumbing. It records every call so tests can count them.
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import nock from "nock";
import { installationId, owner, repo } from "./payloads.ts";

const run = promisify(execFile);
const api = "https://api.github.com";

export interface Call {
  method: string;
  path: string;
  /** `createCommitOnBranch` / `blobs` for GraphQL calls. */
  operation?: string;
  body?: unknown;
}

export interface Comment {
  id: number;
  body: string;
  user: { login: string; type: "User" | "Bot" };
  html_url: string;
}

export interface PullRequest {
  number: number;
  title: string;
  headRef: string;
  baseRef: string;
  fork: boolean;
  state: "open" | "closed";
  merged: boolean;
  labels: string[];
}

export class FakeGitHub {
  readonly calls: Call[] = [];
  readonly comments = new Map<number, Comment[]>();
  readonly checkRuns: { head_sha: string; name: string; conclusion: string; output: { title: string; summary: string } }[] = [];
  readonly reactions: { commentId: number; content: string }[] = [];
  readonly permissions = new Map<string, string>();
  readonly pulls = new Map<number, PullRequest>();
  readonly unmatched: string[] = [];
  config: string | undefined;
  /** Answer the next check-run creation with a secondary rate limit asking to retry after N seconds. */
  rateLimitNextCheckRun: number | undefined;
  /** Called once before the next createCommitOnBranch is applied (to simulate a concurrent push). */
  beforeNextCommit: (() => Promise<void>) | undefined;
  #nextId = 1000;
  readonly gitDir: string;
  readonly botLogin: string;

  constructor(gitDir: string, botLogin: string) {
    this.gitDir = gitDir;
    this.botLogin = botLogin;
  }

  git(...args: string[]): string {
    const r = spawnSync("git", ["-C", this.gitDir, ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  }

  head(branch: string): string {
    return this.git("rev-parse", `refs/heads/${branch}`);
  }

  /** Counts of the calls that matter, by a short name. */
  count(name: string): number {
    return this.calls.filter((c) => callName(c) === name).length;
  }

  callNames(): string[] {
    return this.calls.map(callName);
  }

  install(): void {
    nock.disableNetConnect();
    nock.emitter.on("no match", (req: { method?: string; path?: string; options?: { method?: string; path?: string } }) => {
      const r = req as unknown as { method?: string; path?: string; url?: string; href?: string; options?: { method?: string; path?: string } };
      this.unmatched.push(`${r.method ?? r.options?.method} ${r.path ?? r.url ?? r.href ?? r.options?.path ?? JSON.stringify(Object.keys(r))}`);
    });
    const scope = nock(api).persist();
    scope.post(`/app/installations/${installationId}/access_tokens`).reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" });

    scope.get(new RegExp(`^/repos/${owner}/${repo}/contents/\\.github(%2F|/)kustodian\\.yml`)).reply(route(async (_uri, _body) => {
      this.calls.push({ method: "GET", path: "config" });
      return this.config === undefined ? [404, { message: "Not Found" }] : [200, this.config, { "content-type": "text/plain; charset=utf-8" }];
    }));

    // Probot's config plugin falls back to the organisation's .github repository.
    scope.get(new RegExp(`^/repos/${owner}/\\.github/contents/\\.github(%2F|/)kustodian\\.yml`)).reply(route(async (_uri, _body) => {
      this.calls.push({ method: "GET", path: "config" });
      return [404, { message: "Not Found" }];
    }));

    scope.get(new RegExp(`^/repos/${owner}/${repo}/git/trees/([0-9a-f]{40})`)).reply(route(async (uri, _body) => {
      const sha = /trees\/([0-9a-f]{40})/.exec(uri)![1]!;
      this.calls.push({ method: "GET", path: uri });
      return [200, this.tree(sha)];
    }));

    scope.post("/graphql").reply(route(async (_uri, body) => {
      const { query, variables } = body as { query: string; variables: Record<string, unknown> };
      if (query.includes("createCommitOnBranch")) {
        this.calls.push({ method: "POST", path: "/graphql", operation: "createCommitOnBranch", body: variables });
        return [200, await this.createCommit(variables.input as CommitInput)];
      }
      this.calls.push({ method: "POST", path: "/graphql", operation: "blobs", body: variables });
      const repository: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(variables)) {
        if (!/^b\d+$/.test(k)) continue;
        const text = this.blobText(String(v));
        repository[k] = { text, isBinary: false, isTruncated: false, byteSize: Buffer.byteLength(text) };
      }
      return [200, { data: { repository } }];
    }));

    scope.get(new RegExp(`^/repos/${owner}/${repo}/issues/(\\d+)/comments`)).reply(route(async (uri, _body) => {
      const n = Number(/issues\/(\d+)\/comments/.exec(uri)![1]);
      this.calls.push({ method: "GET", path: `comments` });
      return [200, this.comments.get(n) ?? []];
    }));
    scope.post(new RegExp(`^/repos/${owner}/${repo}/issues/(\\d+)/comments$`)).reply(route(async (uri, body) => {
      const n = Number(/issues\/(\d+)\/comments/.exec(uri)![1]);
      const id = this.#nextId++;
      const comment: Comment = { id, body: (body as { body: string }).body, user: { login: this.botLogin, type: "Bot" }, html_url: `https://github.com/${owner}/${repo}/pull/${n}#issuecomment-${id}` };
      this.comments.set(n, [...(this.comments.get(n) ?? []), comment]);
      this.calls.push({ method: "POST", path: "comment", body });
      return [201, comment];
    }));
    scope.patch(new RegExp(`^/repos/${owner}/${repo}/issues/comments/(\\d+)$`)).reply(route(async (uri, body) => {
      const id = Number(/comments\/(\d+)$/.exec(uri)![1]);
      const comment = [...this.comments.values()].flat().find((c) => c.id === id);
      if (!comment) return [404, { message: "Not Found" }];
      comment.body = (body as { body: string }).body;
      this.calls.push({ method: "PATCH", path: "comment-edit", body });
      return [200, comment];
    }));
    scope.post(`/repos/${owner}/${repo}/check-runs`).reply(route(async (_uri, body) => {
      if (this.rateLimitNextCheckRun !== undefined) {
        const wait = this.rateLimitNextCheckRun;
        this.rateLimitNextCheckRun = undefined;
        this.calls.push({ method: "POST", path: "check-run-limited" });
        return [403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, { "retry-after": String(wait) }];
      }
      this.checkRuns.push(body as FakeGitHub["checkRuns"][number]);
      this.calls.push({ method: "POST", path: "check-run", body });
      return [201, { id: this.#nextId++, html_url: `https://github.com/${owner}/${repo}/runs/1` }];
    }));
    scope.post(new RegExp(`^/repos/${owner}/${repo}/issues/comments/(\\d+)/reactions$`)).reply(route(async (uri, body) => {
      const commentId = Number(/comments\/(\d+)\/reactions/.exec(uri)![1]);
      this.reactions.push({ commentId, content: (body as { content: string }).content });
      this.calls.push({ method: "POST", path: "reaction", body });
      return [201, { id: this.#nextId++, content: (body as { content: string }).content }];
    }));
    scope.get(new RegExp(`^/repos/${owner}/${repo}/collaborators/([^/]+)/permission$`)).reply(route(async (uri, _body) => {
      const user = decodeURIComponent(/collaborators\/([^/]+)\/permission/.exec(uri)![1]!);
      this.calls.push({ method: "GET", path: "permission" });
      const role = this.permissions.get(user);
      if (!role) return [404, { message: "Not Found" }];
      const legacy = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return [200, { permission: legacy, role_name: role, user: { login: user } }];
    }));
    scope.get(new RegExp(`^/repos/${owner}/${repo}/pulls/(\\d+)$`)).reply(route(async (uri, _body) => {
      const n = Number(/pulls\/(\d+)$/.exec(uri)![1]);
      this.calls.push({ method: "GET", path: "pull" });
      const pr = this.pulls.get(n);
      return pr ? [200, this.pullPayload(pr)] : [404, { message: "Not Found" }];
    }));
    scope.post(new RegExp(`^/repos/${owner}/${repo}/issues/(\\d+)/labels$`)).reply(route(async (uri, body) => {
      const n = Number(/issues\/(\d+)\/labels/.exec(uri)![1]);
      const pr = this.pulls.get(n)!;
      pr.labels.push(...(body as { labels: string[] }).labels);
      this.calls.push({ method: "POST", path: "label-add" });
      return [200, pr.labels.map((name) => ({ name }))];
    }));
    scope.delete(new RegExp(`^/repos/${owner}/${repo}/issues/(\\d+)/labels/(.+)$`)).reply(route(async (uri, _body) => {
      const [, n, name] = /issues\/(\d+)\/labels\/(.+)$/.exec(uri)!;
      const pr = this.pulls.get(Number(n))!;
      pr.labels = pr.labels.filter((l) => l !== decodeURIComponent(name!));
      this.calls.push({ method: "DELETE", path: "label-remove" });
      return [200, pr.labels.map((l) => ({ name: l }))];
    }));
  }

  uninstall(): void {
    nock.cleanAll();
    nock.emitter.removeAllListeners("no match");
    nock.enableNetConnect();
  }

  blobText(sha: string): string {
    const r = spawnSync("git", ["-C", this.gitDir, "cat-file", "blob", sha]);
    return r.stdout.toString("utf8");
  }

  tree(sha: string) {
    const out = this.git("ls-tree", "-r", "-l", "--full-tree", sha);
    const tree = out.split("\n").filter(Boolean).map((line) => {
      const [meta, path] = line.split("\t");
      const [mode, type, objectSha, size] = meta!.split(/\s+/);
      return { path, mode, type, sha: objectSha, size: Number(size), url: `${api}/repos/${owner}/${repo}/git/blobs/${objectSha}` };
    });
    return { sha: this.git("rev-parse", `${sha}^{tree}`), url: `${api}/repos/${owner}/${repo}/git/trees/${sha}`, tree, truncated: false };
  }

  pullPayload(pr: PullRequest) {
    const headSha = this.head(pr.headRef);
    const baseSha = this.head(pr.baseRef);
    const repository = { full_name: `${owner}/${repo}`, name: repo, owner: { login: owner } };
    return {
      number: pr.number,
      title: pr.title,
      state: pr.state,
      merged: pr.merged,
      merge_commit_sha: null,
      draft: false,
      labels: pr.labels.map((name) => ({ name })),
      head: { sha: headSha, ref: pr.headRef, repo: pr.fork ? { ...repository, full_name: `outsider/${repo}` } : repository },
      base: { sha: baseSha, ref: pr.baseRef, repo: repository },
    };
  }

  async createCommit(input: CommitInput) {
    if (this.beforeNextCommit) {
      const hook = this.beforeNextCommit;
      this.beforeNextCommit = undefined;
      await hook();
    }
    const branch = input.branch.branchName;
    const head = this.head(branch);
    if (head !== input.expectedHeadOid) {
      return { data: { createCommitOnBranch: null }, errors: [{ type: "STALE_DATA", path: ["createCommitOnBranch"], message: `Expected branch to point to "${input.expectedHeadOid}" but it did not.  Pull and try again.` }] };
    }
    const env = { ...process.env, GIT_INDEX_FILE: `${this.gitDir}/.git/fake-index`, GIT_AUTHOR_NAME: this.botLogin, GIT_AUTHOR_EMAIL: "bot@example.com", GIT_COMMITTER_NAME: "GitHub", GIT_COMMITTER_EMAIL: "noreply@github.com" };
    const g = async (args: string[], stdin?: string) => {
      const child = run("git", ["-C", this.gitDir, ...args], { env });
      if (stdin !== undefined) child.child.stdin!.end(stdin);
      return (await child).stdout.trim();
    };
    await g(["read-tree", head]);
    for (const add of input.fileChanges.additions ?? []) {
      const sha = await g(["hash-object", "-w", "--stdin"], Buffer.from(add.contents, "base64").toString("utf8"));
      await g(["update-index", "--add", "--cacheinfo", `100644,${sha},${add.path}`]);
    }
    for (const del of input.fileChanges.deletions ?? []) await g(["update-index", "--force-remove", del.path]);
    const tree = await g(["write-tree"]);
    const message = input.message.body ? `${input.message.headline}\n\n${input.message.body}` : input.message.headline;
    const oid = await g(["commit-tree", tree, "-p", head, "-m", message]);
    await g(["update-ref", `refs/heads/${branch}`, oid, head]);
    return { data: { createCommitOnBranch: { commit: { oid, url: `https://github.com/${owner}/${repo}/commit/${oid}` } } } };
  }
}

interface CommitInput {
  branch: { repositoryNameWithOwner: string; branchName: string };
  expectedHeadOid: string;
  message: { headline: string; body?: string };
  fileChanges: { additions?: { path: string; contents: string }[]; deletions?: { path: string }[] };
}

type Handler = (path: string, body: unknown) => Promise<[number, unknown?, Record<string, string>?]>;

/**
 * nock 15 calls a reply function with the fetch Request alone (a function of two parameters
 * would be taken as callback-style); give handlers the path and the parsed JSON body.
 */
function route(handler: Handler) {
  return async (request: Request) => {
    const url = new URL(request.url);
    const text = request.method === "GET" || request.method === "DELETE" ? "" : await request.text();
    return handler(url.pathname + url.search, text ? JSON.parse(text) : undefined);
  };
}

function callName(c: Call): string {
  if (c.operation) return c.operation;
  if (c.path.includes("/git/trees/")) return "tree";
  return c.path;
}
