// A stateful GitHub stand-in at the HTTP boundary (nock), backed by a real git repository:
// trees and blobs come from git's object store, and createCommitOnBranch writes real commits
// with git plumbing. It records every call so tests can count them.
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import nock from "nock";
import { deploymentStatusEvent, installationId, issueCommentEvent, owner, pullRequestEvent, pushEvent, repo } from "./payloads.ts";

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
  /** Set when merged: the commit on the base branch (GET /commits/{sha}/pulls finds the PR by it). */
  mergeCommitSha?: string;
  body?: string;
  /** Who opened it (default a person, `octocat`; the app for pull requests it opens through the API). */
  author?: string;
}

export interface FakeDeployment {
  id: number;
  sha: string;
  environment: string;
  task: string;
  description: string;
  payload: unknown;
  production_environment?: boolean;
  /** Who created it, as GraphQL's Deployment.creator says (a bot's login without `[bot]`); default the app. */
  creator?: { type: "Bot" | "User"; login: string };
  createdAt: string;
  statuses: {
    id: number;
    state: string;
    description: string;
    log_url?: string;
    createdAt: string;
    /** Who wrote it (a bot's login without `[bot]`, as GraphQL says); default the app. */
    creator?: { type: "Bot" | "User"; login: string };
  }[];
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  user: { login: string; type: "User" | "Bot" };
  createdAt: string;
}

export class FakeGitHub {
  readonly calls: Call[] = [];
  /** Issues (not pull requests): the freeze records. */
  readonly issues: FakeIssue[] = [];
  readonly comments = new Map<number, Comment[]>();
  readonly checkRuns: { head_sha: string; name: string; conclusion: string; output: { title: string; summary: string } }[] = [];
  readonly reactions: { commentId: number; content: string }[] = [];
  readonly permissions = new Map<string, string>();
  readonly pulls = new Map<number, PullRequest>();
  /** Branches GET /branches/{branch} reports as protected. */
  readonly protectedBranches = new Set<string>();
  readonly unmatched: string[] = [];
  config: string | undefined;
  /** The organisation's `.github` repository's `.github/kustodian.yml`; undefined: that repository does not exist. */
  orgConfig: string | undefined;
  /** Answer the next check-run creation with a secondary rate limit asking to retry after N seconds. */
  rateLimitNextCheckRun: number | undefined;
  readonly deployments: FakeDeployment[] = [];
  /** Calls (by short name, see count()) to answer with a 502 once each, as a crash between two steps would leave things. */
  readonly failNext: string[] = [];
  /** Told of every commit createCommitOnBranch made (GitHub would send a push webhook). */
  afterCommit: ((push: { branch: string; before: string; after: string; message: string }) => void) | undefined;
  /**
   * Told of every webhook GitHub would send for a change made through the API (the HTTP stand-in
   * sends them, signed, to the app); unset in the nock tests, which deliver by hand.
   */
  events: ((name: string, payload: object) => void) | undefined;
  /** Called once before the next createCommitOnBranch is applied (to simulate a concurrent push). */
  beforeNextCommit: (() => Promise<void>) | undefined;
  /** Called once before the next Deployment is created (its answer waits for it: a slow GitHub). */
  beforeNextDeployment: (() => Promise<void>) | undefined;
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

  /**
   * The same git command about objects named by full shas answers the same forever (objects
   * never change): run once. Anything else (a branch, an abbreviation) goes to git every time.
   */
  gitOnce(command: string, ...args: string[]): string {
    if (!args.every((a) => a.startsWith("-") || /^[0-9a-f]{40}(\^\{\w+\})?$/.test(a))) return this.git(command, ...args);
    const key = [command, ...args].join("\0");
    let out = this.#answers.get(key);
    if (out === undefined) this.#answers.set(key, (out = this.git(command, ...args)));
    return out;
  }
  readonly #answers = new Map<string, string>();

  /**
   * A branch's head. A loose ref is a file holding the sha, which git replaces whole (it writes a
   * lock file and renames it), so reading it is what `git rev-parse` does; a packed ref (or
   * another ref storage) goes to git. Asked hundreds of times per test file.
   */
  head(branch: string): string {
    this.#refsDir ??= join(this.git("rev-parse", "--absolute-git-dir"), "refs", "heads");
    try {
      const sha = readFileSync(join(this.#refsDir, branch), "utf8").trim();
      if (/^[0-9a-f]{40}$/.test(sha)) return sha;
    } catch {
      // not a loose ref
    }
    return this.git("rev-parse", `refs/heads/${branch}`);
  }
  #refsDir: string | undefined;

  /** Counts of the calls that matter, by a short name. */
  count(name: string): number {
    return this.calls.filter((c) => callName(c) === name).length;
  }

  callNames(): string[] {
    return this.calls.map(callName);
  }

  #held: Promise<void> | undefined;
  /**
   * Holds every answer until the returned function is called: work that reaches GitHub waits
   * there (to show what happens before GitHub answers, without timing anything).
   */
  hold(): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.#held = held;
    return () => {
      if (this.#held === held) this.#held = undefined;
      release();
    };
  }

  install(): void {
    nock.disableNetConnect();
    nock.emitter.on("no match", (req: { method?: string; path?: string; options?: { method?: string; path?: string } }) => {
      const r = req as unknown as {
        method?: string;
        path?: string;
        url?: string;
        href?: string;
        options?: { method?: string; path?: string };
      };
      this.unmatched.push(
        `${r.method ?? r.options?.method} ${r.path ?? r.url ?? r.href ?? r.options?.path ?? JSON.stringify(Object.keys(r))}`,
      );
    });
    // Every request to api.github.com goes to the one handler the HTTP stand-in also serves.
    const scope = nock(api).persist();
    for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE"])
      scope.intercept(() => true, method).reply(async (request: Request) => this.handle(request));
  }

  /** The routes, made once: what nock's interceptor and the HTTP stand-in (test/github-standin) answer with. */
  get routes(): RouteTable {
    if (!this.#routes) {
      this.#routes = new RouteTable();
      this.defineRoutes(this.#routes);
    }
    return this.#routes;
  }
  #routes: RouteTable | undefined;

  /**
   * Answers one GitHub API request (path relative to the API root, e.g. `/repos/acme/gitops/pulls/7`).
   * An unknown route is recorded in `unmatched` and answered 404.
   */
  async handle(request: Request): Promise<[number, unknown?, Record<string, string>?]> {
    await this.#held;
    const found = this.routes.find(request);
    if (!found) {
      const url = new URL(request.url);
      this.unmatched.push(`${request.method} ${url.pathname}${url.search}`);
      return [404, { message: "Not Found" }];
    }
    return found(request);
  }

  defineRoutes(scope: RouteTable): void {
    scope
      .post(`/app/installations/${installationId}/access_tokens`)
      .reply(
        route(async () => [201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" }]),
      );

    scope.get(new RegExp(`^/repos/${owner}/${repo}/contents/\\.github(%2F|/)kustodian\\.yml`)).reply(
      route(async (_uri, _body) => {
        this.calls.push({ method: "GET", path: "config" });
        return this.config === undefined
          ? [404, { message: "Not Found" }]
          : [200, this.config, { "content-type": "text/plain; charset=utf-8" }];
      }),
    );

    // Probot's config plugin falls back to the organisation's .github repository.
    scope.get(new RegExp(`^/repos/${owner}/\\.github/contents/\\.github(%2F|/)kustodian\\.yml`)).reply(
      route(async (_uri, _body) => {
        this.calls.push({ method: "GET", path: "config" });
        return this.orgConfig === undefined
          ? [404, { message: "Not Found" }]
          : [200, this.orgConfig, { "content-type": "text/plain; charset=utf-8" }];
      }),
    );

    scope.get(new RegExp(`^/repos/${owner}/${repo}/git/trees/([0-9a-f]{40})`)).reply(
      route(async (uri, _body) => {
        const sha = /trees\/([0-9a-f]{40})/.exec(uri)![1]!;
        this.calls.push({ method: "GET", path: uri });
        return [200, this.tree(sha)];
      }),
    );

    scope.post("/graphql").reply(
      route(async (_uri, body) => {
        const { query, variables } = body as { query: string; variables: Record<string, unknown> };
        if (query.includes("createCommitOnBranch")) {
          this.calls.push({ method: "POST", path: "/graphql", operation: "createCommitOnBranch", body: variables });
          if (this.takeFailure("createCommitOnBranch")) return [502, { message: "Server Error" }];
          return [200, await this.createCommit(variables.input as CommitInput)];
        }
        if (query.includes("kustodianPullRequestContext") || query.includes("kustodianPullRequestComments")) {
          const operation = query.includes("kustodianPullRequestContext") ? "pull-request-context" : "pull-request-comments";
          this.calls.push({ method: "POST", path: "/graphql", operation, body: variables });
          return [200, this.pullRequestContext(query, variables)];
        }
        if (query.includes("deployments(")) {
          this.calls.push({ method: "POST", path: "/graphql", operation: "deployments", body: variables });
          return [200, this.deploymentsPage(variables)];
        }
        this.calls.push({ method: "POST", path: "/graphql", operation: "blobs", body: variables });
        const repository: Record<string, unknown> = {};
        const wanted = Object.entries(variables).filter(([k]) => /^b\d+$/.test(k));
        this.objects(wanted.map(([, v]) => String(v)));
        for (const [k, v] of wanted) repository[k] = this.blobNode(String(v));
        return [200, { data: { repository } }];
      }),
    );

    scope.get(new RegExp(`^/repos/${owner}/${repo}/issues/(\\d+)/comments`)).reply(
      route(async (uri, _body) => {
        const n = Number(/issues\/(\d+)\/comments/.exec(uri)![1]);
        this.calls.push({ method: "GET", path: `comments` });
        return [200, this.comments.get(n) ?? []];
      }),
    );
    scope.post(new RegExp(`^/repos/${owner}/${repo}/issues/(\\d+)/comments$`)).reply(
      route(async (uri, body, request) => {
        if (this.takeFailure("comment")) return [502, { message: "Server Error" }];
        const n = Number(/issues\/(\d+)\/comments/.exec(uri)![1]);
        const id = this.#nextId++;
        const user = userOf(request);
        const comment: Comment = {
          id,
          body: (body as { body: string }).body,
          user: user ? { login: user, type: "User" } : { login: this.botLogin, type: "Bot" },
          html_url: `https://github.com/${owner}/${repo}/pull/${n}#issuecomment-${id}`,
        };
        this.comments.set(n, [...(this.comments.get(n) ?? []), comment]);
        if (user && this.events) this.events("issue_comment", issueCommentEvent({ number: n, body: comment.body, user, commentId: id }));
        this.calls.push({ method: "POST", path: "comment", body });
        return [201, comment];
      }),
    );
    scope.patch(new RegExp(`^/repos/${owner}/${repo}/issues/comments/(\\d+)$`)).reply(
      route(async (uri, body) => {
        const id = Number(/comments\/(\d+)$/.exec(uri)![1]);
        const comment = [...this.comments.values()].flat().find((c) => c.id === id);
        if (!comment) return [404, { message: "Not Found" }];
        comment.body = (body as { body: string }).body;
        this.calls.push({ method: "PATCH", path: "comment-edit", body });
        return [200, comment];
      }),
    );
    scope.delete(new RegExp(`^/repos/${owner}/${repo}/issues/comments/(\\d+)$`)).reply(
      route(async (uri) => {
        const id = Number(/comments\/(\d+)$/.exec(uri)![1]);
        for (const [n, list] of this.comments) {
          if (!list.some((c) => c.id === id)) continue;
          this.comments.set(
            n,
            list.filter((c) => c.id !== id),
          );
          this.calls.push({ method: "DELETE", path: "comment-delete" });
          return [204];
        }
        return [404, { message: "Not Found" }];
      }),
    );
    scope.post(`/repos/${owner}/${repo}/check-runs`).reply(
      route(async (_uri, body) => {
        if (this.rateLimitNextCheckRun !== undefined) {
          const wait = this.rateLimitNextCheckRun;
          this.rateLimitNextCheckRun = undefined;
          this.calls.push({ method: "POST", path: "check-run-limited" });
          return [
            403,
            { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
            { "retry-after": String(wait) },
          ];
        }
        this.checkRuns.push(body as FakeGitHub["checkRuns"][number]);
        this.calls.push({ method: "POST", path: "check-run", body });
        return [201, { id: this.#nextId++, html_url: `https://github.com/${owner}/${repo}/runs/1` }];
      }),
    );
    scope.post(new RegExp(`^/repos/${owner}/${repo}/issues/comments/(\\d+)/reactions$`)).reply(
      route(async (uri, body) => {
        const commentId = Number(/comments\/(\d+)\/reactions/.exec(uri)![1]);
        this.reactions.push({ commentId, content: (body as { content: string }).content });
        this.calls.push({ method: "POST", path: "reaction", body });
        return [201, { id: this.#nextId++, content: (body as { content: string }).content }];
      }),
    );
    scope.get(new RegExp(`^/repos/${owner}/${repo}/collaborators/([^/]+)/permission$`)).reply(
      route(async (uri, _body) => {
        const user = decodeURIComponent(/collaborators\/([^/]+)\/permission/.exec(uri)![1]!);
        this.calls.push({ method: "GET", path: "permission" });
        const role = this.permissions.get(user);
        if (!role) return [404, { message: "Not Found" }];
        const legacy = role === "maintain" ? "write" : role === "triage" ? "read" : role;
        return [200, { permission: legacy, role_name: role, user: { login: user } }];
      }),
    );
    scope.get(new RegExp(`^/repos/${owner}/${repo}/pulls/(\\d+)$`)).reply(
      route(async (uri, _body) => {
        const n = Number(/pulls\/(\d+)$/.exec(uri)![1]);
        this.calls.push({ method: "GET", path: "pull" });
        const pr = this.pulls.get(n);
        return pr ? [200, this.pullPayload(pr)] : [404, { message: "Not Found" }];
      }),
    );
    scope.post(new RegExp(`^/repos/${owner}/${repo}/issues/(\\d+)/labels$`)).reply(
      route(async (uri, body) => {
        const n = Number(/issues\/(\d+)\/labels/.exec(uri)![1]);
        const pr = this.pulls.get(n)!;
        pr.labels.push(...(body as { labels: string[] }).labels);
        this.calls.push({ method: "POST", path: "label-add" });
        return [200, pr.labels.map((name) => ({ name }))];
      }),
    );
    scope.delete(new RegExp(`^/repos/${owner}/${repo}/issues/(\\d+)/labels/(.+)$`)).reply(
      route(async (uri, _body) => {
        const [, n, name] = /issues\/(\d+)\/labels\/(.+)$/.exec(uri)!;
        const pr = this.pulls.get(Number(n))!;
        pr.labels = pr.labels.filter((l) => l !== decodeURIComponent(name!));
        this.calls.push({ method: "DELETE", path: "label-remove" });
        return [200, pr.labels.map((l) => ({ name: l }))];
      }),
    );
    this.installRolloutRoutes(scope);
    this.installUserRoutes(scope);
    this.installIssueRoutes(scope);
  }

  installIssueRoutes(scope: RouteTable): void {
    const base = `/repos/${owner}/${repo}`;
    const payload = (i: FakeIssue) => ({
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      labels: i.labels.map((name) => ({ name })),
      user: i.user,
      html_url: `https://github.com/${owner}/${repo}/issues/${i.number}`,
      created_at: i.createdAt,
    });
    scope.get(new RegExp(`^${base}/issues(\\?|$)`)).reply(
      route(async (uri) => {
        const params = new URL(uri, api).searchParams;
        this.calls.push({ method: "GET", path: "issues" });
        const labels = (params.get("labels") ?? "").split(",").filter(Boolean);
        const state = params.get("state") ?? "open";
        const creator = params.get("creator");
        const found = this.issues
          .filter(
            (i) =>
              (state === "all" || i.state === state) && labels.every((l) => i.labels.includes(l)) && (!creator || i.user.login === creator),
          )
          .sort((a, b) => b.number - a.number);
        return [200, found.map(payload)];
      }),
    );
    scope.get(new RegExp(`^${base}/pulls/(\\d+)/commits`)).reply(
      route(async (uri) => {
        const pr = this.pulls.get(Number(/pulls\/(\d+)\/commits/.exec(uri)![1]));
        this.calls.push({ method: "GET", path: "pull-commits" });
        if (!pr) return [404, { message: "Not Found" }];
        const shas = this.git("rev-list", "--reverse", `${pr.baseRef}..${pr.headRef}`).split("\n").filter(Boolean);
        return [200, shas.map((sha) => ({ sha, commit: { author: { date: this.gitOnce("show", "-s", "--format=%aI", sha) } } }))];
      }),
    );
    scope.post(`${base}/issues`).reply(
      route(async (_uri, body) => {
        const b = body as { title: string; body?: string; labels?: string[] };
        this.calls.push({ method: "POST", path: "issue-create", body });
        const issue: FakeIssue = {
          number: 500 + this.issues.length,
          title: b.title,
          body: b.body ?? "",
          labels: b.labels ?? [],
          state: "open",
          user: { login: this.botLogin, type: "Bot" },
          createdAt: this.#stamp(),
        };
        this.issues.push(issue);
        return [201, payload(issue)];
      }),
    );
    scope.patch(new RegExp(`^${base}/issues/(\\d+)$`)).reply(
      route(async (uri, body) => {
        const issue = this.issues.find((i) => i.number === Number(/issues\/(\d+)$/.exec(uri)![1]));
        if (!issue) return [404, { message: "Not Found" }];
        this.calls.push({ method: "PATCH", path: "issue-edit", body });
        const b = body as { state?: "open" | "closed" };
        if (b.state) issue.state = b.state;
        return [200, payload(issue)];
      }),
    );
  }

  /** Whether the next call of this name is to fail (see failNext); consumes the failure. */
  takeFailure(name: string): boolean {
    const i = this.failNext.indexOf(name);
    if (i < 0) return false;
    this.failNext.splice(i, 1);
    return true;
  }

  #clock = Date.parse("2026-01-01T00:00:00Z");
  /** Creation times that always increase, as GitHub's do. */
  #stamp(): string {
    this.#clock += 1000;
    return new Date(this.#clock).toISOString();
  }

  /** The Deployments GraphQL query of src/github/deployments.ts: newest first, latest status each. */
  deploymentsPage(variables: Record<string, unknown>) {
    const environments = variables.environments as string[] | null;
    const first = Number(variables.first);
    const offset = variables.after ? Number(variables.after) : 0;
    const all = [...this.deployments].reverse().filter((d) => !environments || environments.includes(d.environment));
    const page = all.slice(offset, offset + first);
    const nodes = page.map((d) => {
      const status = d.statuses[d.statuses.length - 1];
      return {
        databaseId: d.id,
        commitOid: d.sha,
        environment: d.environment,
        task: d.task,
        description: d.description,
        payload: JSON.stringify(d.payload),
        creator: d.creator
          ? { __typename: d.creator.type, login: d.creator.login }
          : { __typename: "Bot", login: this.botLogin.replace(/\[bot\]$/, "") },
        createdAt: d.createdAt,
        latestStatus: status
          ? {
              state: status.state.toUpperCase(),
              description: status.description,
              environmentUrl: null,
              logUrl: status.log_url ?? null,
              createdAt: status.createdAt,
              creator: status.creator
                ? { __typename: status.creator.type, login: status.creator.login }
                : { __typename: "Bot", login: this.botLogin.replace(/\[bot\]$/, "") },
            }
          : null,
      };
    });
    const end = offset + page.length;
    return { data: { repository: { deployments: { pageInfo: { hasNextPage: end < all.length, endCursor: String(end) }, nodes } } } };
  }

  /**
   * A commit as the REST API lists it (GET /commits, /compare): the author and committer as
   * GitHub accounts (the app's commits: author the bot, committer GitHub's `web-flow`, signed and
   * verified, as createCommitOnBranch makes them; anything else: the git names, unverified).
   */
  restCommit(sha: string) {
    const [parents, date, author, committer, message] = this.gitOnce("show", "-s", "--format=%P%x00%cI%x00%an%x00%cn%x00%B", sha).split(
      "\0",
    );
    const byGitHub = committer === "GitHub";
    return {
      sha,
      parents: (parents ?? "")
        .split(" ")
        .filter(Boolean)
        .map((p) => ({ sha: p })),
      author: author ? { login: author } : null,
      committer: committer ? { login: byGitHub ? "web-flow" : committer } : null,
      commit: {
        message: (message ?? "").trim(),
        committer: { date },
        tree: { sha: this.gitOnce("rev-parse", `${sha}^{tree}`) },
        verification: { verified: byGitHub, reason: byGitHub ? "valid" : "unsigned" },
      },
      html_url: `https://github.com/${owner}/${repo}/commit/${sha}`,
    };
  }

  /** Latest status state of each Deployment, in creation order (for assertions). */
  deploymentStates(): { id: number; environment: string; sha: string; states: string[] }[] {
    return this.deployments.map((d) => ({ id: d.id, environment: d.environment, sha: d.sha, states: d.statuses.map((s) => s.state) }));
  }

  installRolloutRoutes(scope: RouteTable): void {
    const base = `/repos/${owner}/${repo}`;
    // A commit, once there, stays (a full sha found is not asked again); a branch may come and go.
    const found = new Set<string>();
    const refExists = (ref: string) => {
      if (found.has(ref)) return true;
      const exists = spawnSync("git", ["-C", this.gitDir, "rev-parse", "--verify", "-q", ref]).status === 0;
      if (exists && /^[0-9a-f]{40}$/.test(ref)) found.add(ref);
      return exists;
    };

    scope.post(`${base}/deployments`).reply(
      route(async (_uri, body) => {
        const b = body as {
          ref: string;
          environment: string;
          task?: string;
          description?: string;
          payload?: unknown;
          production_environment?: boolean;
        };
        if (this.beforeNextDeployment) {
          const hook = this.beforeNextDeployment;
          this.beforeNextDeployment = undefined;
          await hook();
        }
        this.calls.push({ method: "POST", path: "deployment", body });
        const deployment: FakeDeployment = {
          id: this.#nextId++,
          sha: this.git("rev-parse", `${b.ref}^{commit}`),
          environment: b.environment,
          task: b.task ?? "deploy",
          description: b.description ?? "",
          payload: b.payload ?? {},
          ...(b.production_environment === undefined ? {} : { production_environment: b.production_environment }),
          createdAt: this.#stamp(),
          statuses: [],
        };
        this.deployments.push(deployment);
        return [
          201,
          {
            id: deployment.id,
            sha: deployment.sha,
            ref: b.ref,
            environment: deployment.environment,
            task: deployment.task,
            payload: deployment.payload,
          },
        ];
      }),
    );
    scope.post(new RegExp(`^${base}/deployments/(\\d+)/statuses$`)).reply(
      route(async (uri, body) => {
        const d = this.deployments.find((x) => x.id === Number(/deployments\/(\d+)/.exec(uri)![1]));
        if (!d) return [404, { message: "Not Found" }];
        if (this.takeFailure("deployment-status")) return [502, { message: "Server Error" }];
        const b = body as { state: string; description?: string; log_url?: string };
        this.calls.push({ method: "POST", path: "deployment-status", body });
        const status = {
          id: this.#nextId++,
          state: b.state,
          description: b.description ?? "",
          ...(b.log_url ? { log_url: b.log_url } : {}),
          createdAt: this.#stamp(),
        };
        d.statuses.push(status);
        this.events?.(
          "deployment_status",
          deploymentStatusEvent({
            deploymentId: d.id,
            environment: d.environment,
            sha: d.sha,
            state: status.state,
            description: status.description,
            statusId: status.id,
            sender: this.botLogin,
          }),
        );
        return [201, { id: status.id, state: status.state, description: status.description }];
      }),
    );
    scope.get(new RegExp(`^${base}/deployments/(\\d+)/statuses`)).reply(
      route(async (uri) => {
        const d = this.deployments.find((x) => x.id === Number(/deployments\/(\d+)/.exec(uri)![1]));
        if (!d) return [404, { message: "Not Found" }];
        this.calls.push({ method: "GET", path: "deployment-statuses" });
        const perPage = Number(new URL(uri, api).searchParams.get("per_page") ?? 30);
        return [
          200,
          [...d.statuses]
            .reverse()
            .slice(0, perPage)
            .map((st) => ({
              id: st.id,
              state: st.state,
              description: st.description,
              log_url: st.log_url ?? "",
              created_at: st.createdAt,
              // REST names a bot `<slug>[bot]`.
              creator: st.creator
                ? { login: st.creator.type === "Bot" ? `${st.creator.login}[bot]` : st.creator.login, type: st.creator.type }
                : { login: this.botLogin, type: "Bot" },
            })),
        ];
      }),
    );

    scope.get(new RegExp(`^${base}/commits/([0-9a-f]{40})/pulls`)).reply(
      route(async (uri) => {
        const sha = /commits\/([0-9a-f]{40})\/pulls/.exec(uri)![1]!;
        this.calls.push({ method: "GET", path: "commit-pulls" });
        return [200, [...this.pulls.values()].filter((p) => p.mergeCommitSha === sha).map((p) => this.pullPayload(p))];
      }),
    );
    scope.get(new RegExp(`^${base}/commits/([0-9a-f]{40})$`)).reply(
      route(async (uri) => {
        const sha = /commits\/([0-9a-f]{40})$/.exec(uri)![1]!;
        this.calls.push({ method: "GET", path: "commit" });
        return refExists(sha) ? [200, this.restCommit(sha)] : [404, { message: "No commit found" }];
      }),
    );
    scope.get(new RegExp(`^${base}/commits(\\?|$)`)).reply(
      route(async (uri) => {
        const params = new URL(uri, api).searchParams;
        this.calls.push({ method: "GET", path: "commits" });
        const shas = this.git("rev-list", `--max-count=${params.get("per_page") ?? 30}`, params.get("sha") ?? "main")
          .split("\n")
          .filter(Boolean);
        return [200, shas.map((sha) => this.restCommit(sha))];
      }),
    );
    scope.get(new RegExp(`^${base}/compare/([0-9a-f]{40})\\.\\.\\.([^?]+)`)).reply(
      route(async (uri) => {
        const [, from, to] = /compare\/([0-9a-f]{40})\.\.\.([^?]+)/.exec(uri)!;
        this.calls.push({ method: "GET", path: "compare" });
        const head = decodeURIComponent(to!);
        if (!refExists(from!) || !refExists(head)) return [404, { message: "Not Found" }];
        const ahead = this.git("rev-list", "--reverse", `${from}..${head}`).split("\n").filter(Boolean);
        const behind = this.git("rev-list", `${head}..${from}`).split("\n").filter(Boolean);
        const status =
          ahead.length === 0 && behind.length === 0
            ? "identical"
            : behind.length === 0
              ? "ahead"
              : ahead.length === 0
                ? "behind"
                : "diverged";
        return [
          200,
          {
            status,
            ahead_by: ahead.length,
            behind_by: behind.length,
            total_commits: ahead.length,
            commits: ahead.slice(0, 100).map((sha) => this.restCommit(sha)),
            files: [],
          },
        ];
      }),
    );
    scope.get(new RegExp(`^${base}/git/commits/([0-9a-f]{40})$`)).reply(
      route(async (uri) => {
        const sha = /commits\/([0-9a-f]{40})$/.exec(uri)![1]!;
        this.calls.push({ method: "GET", path: "git-commit" });
        const c = this.restCommit(sha);
        return [
          200,
          {
            sha,
            parents: c.parents,
            message: c.commit.message,
            committer: { date: c.commit.committer.date, name: "x", email: "x@example.com" },
          },
        ];
      }),
    );
    scope.get(new RegExp(`^${base}/git/ref/heads(/|%2F)(.+)$`)).reply(
      route(async (uri) => {
        const branch = decodeURIComponent(/git\/ref\/heads(?:\/|%2F)(.+)$/.exec(uri)![1]!);
        this.calls.push({ method: "GET", path: "branch-head" });
        if (!refExists(`refs/heads/${branch}`)) return [404, { message: "Not Found" }];
        return [200, { ref: `refs/heads/${branch}`, object: { sha: this.head(branch), type: "commit" } }];
      }),
    );
    scope.get(new RegExp(`^${base}/branches/([^?]+)`)).reply(
      route(async (uri) => {
        const branch = decodeURIComponent(/branches\/([^?]+)/.exec(uri)![1]!);
        this.calls.push({ method: "GET", path: "branch-protection" });
        if (!refExists(`refs/heads/${branch}`)) return [404, { message: "Branch not found" }];
        return [200, { name: branch, commit: { sha: this.head(branch) }, protected: this.protectedBranches.has(branch) }];
      }),
    );
    scope.post(`${base}/git/refs`).reply(
      route(async (_uri, body) => {
        const b = body as { ref: string; sha: string };
        this.calls.push({ method: "POST", path: "create-ref", body });
        if (refExists(b.ref)) return [422, { message: "Reference already exists" }];
        this.git("update-ref", b.ref, b.sha);
        return [201, { ref: b.ref, object: { sha: b.sha, type: "commit" } }];
      }),
    );
    scope.post(`${base}/pulls`).reply(
      route(async (_uri, body, request) => {
        const b = body as { head: string; base: string; title: string; body?: string };
        this.calls.push({ method: "POST", path: "pull-create", body });
        if ([...this.pulls.values()].some((p) => p.headRef === b.head && p.state === "open"))
          return [422, { message: "Validation Failed", errors: [{ message: `A pull request already exists for ${owner}:${b.head}.` }] }];
        const number = Math.max(100, ...this.pulls.keys()) + 1;
        const pr: PullRequest = {
          number,
          title: b.title,
          headRef: b.head,
          baseRef: b.base,
          fork: false,
          state: "open",
          merged: false,
          labels: [],
          author: this.botLogin,
          ...(b.body ? { body: b.body } : {}),
        };
        this.pulls.set(number, pr);
        const author = userOf(request);
        if (this.events) this.events("pull_request", this.pullRequestEventOf(pr, "opened", author ?? this.botLogin));
        return [201, this.pullPayload(pr)];
      }),
    );
    scope.get(new RegExp(`^${base}/pulls\\?`)).reply(
      route(async (uri) => {
        const params = new URL(uri, api).searchParams;
        this.calls.push({ method: "GET", path: "pulls" });
        const head = params.get("head")?.replace(/^[^:]+:/, "");
        const found = [...this.pulls.values()]
          .filter((p) => (!head || p.headRef === head) && (!params.get("base") || p.baseRef === params.get("base")))
          .sort((a, b) => b.number - a.number);
        return [200, found.map((p) => this.pullPayload(p))];
      }),
    );
    scope
      .get("/app/installations")
      .query(true)
      .reply(
        route(async () => {
          this.calls.push({ method: "GET", path: "installations" });
          return [200, [{ id: installationId, account: { login: owner } }]];
        }),
      );
    scope
      .get("/installation/repositories")
      .query(true)
      .reply(
        route(async () => {
          this.calls.push({ method: "GET", path: "installation-repositories" });
          return [
            200,
            {
              total_count: 1,
              repositories: [{ name: repo, full_name: `${owner}/${repo}`, owner: { login: owner }, default_branch: "main" }],
            },
          ];
        }),
      );
  }

  /**
   * What people do on GitHub, for the HTTP stand-in's users (a token `ghp_standin_<login>` says
   * who): change a file on a branch (contents API), merge a pull request, read check runs and
   * Deployments. Each sends the webhooks GitHub would.
   */
  installUserRoutes(scope: RouteTable): void {
    const base = `/repos/${owner}/${repo}`;
    scope.put(new RegExp(`^${base}/contents/(.+)$`)).reply(
      route(async (uri, body, request) => {
        const path = decodeURIComponent(/contents\/(.+)$/.exec(uri)![1]!.split("?")[0]!);
        const b = body as { message: string; content: string; branch?: string };
        const branch = b.branch ?? "main";
        const user = userOf(request) ?? this.botLogin;
        this.calls.push({ method: "PUT", path: "contents" });
        const before = this.head(branch);
        const after = await this.commitFiles(branch, before, [{ path, contents: b.content }], b.message, user);
        if (!after) return [409, { message: `${branch} moved; try again` }];
        this.pushed(branch, before, after, b.message, user);
        return [200, { commit: { sha: after, message: b.message }, content: { path } }];
      }),
    );
    scope.put(new RegExp(`^${base}/pulls/(\\d+)/merge$`)).reply(
      route(async (uri, _body, request) => {
        const n = Number(/pulls\/(\d+)\/merge/.exec(uri)![1]);
        const pr = this.pulls.get(n);
        if (!pr) return [404, { message: "Not Found" }];
        if (pr.state !== "open") return [405, { message: "Pull Request is not mergeable" }];
        this.calls.push({ method: "PUT", path: "merge" });
        const user = userOf(request) ?? this.botLogin;
        const before = this.head(pr.baseRef);
        const tree = this.git("merge-tree", "--write-tree", `refs/heads/${pr.baseRef}`, `refs/heads/${pr.headRef}`);
        const message = `Merge pull request #${n} from ${owner}/${pr.headRef}\n\n${pr.title}`;
        const sha = this.git("commit-tree", tree, "-p", before, "-p", `refs/heads/${pr.headRef}`, "-m", message);
        this.git("update-ref", `refs/heads/${pr.baseRef}`, sha, before);
        pr.state = "closed";
        pr.merged = true;
        pr.mergeCommitSha = sha;
        if (this.events) this.events("pull_request", this.pullRequestEventOf(pr, "closed", user));
        this.pushed(pr.baseRef, before, sha, message, user);
        return [200, { sha, merged: true, message: "Pull Request successfully merged" }];
      }),
    );
    scope.get(new RegExp(`^${base}/commits/([^/]+)/check-runs`)).reply(
      route(async (uri) => {
        const ref = decodeURIComponent(/commits\/([^/]+)\/check-runs/.exec(uri)![1]!);
        const sha = /^[0-9a-f]{40}$/.test(ref) ? ref : this.head(ref);
        const runs = this.checkRuns.filter((r) => r.head_sha === sha);
        return [200, { total_count: runs.length, check_runs: runs }];
      }),
    );
    scope.get(new RegExp(`^${base}/deployments(\\?|$)`)).reply(
      route(async () => [
        200,
        [...this.deployments].reverse().map((d) => ({
          id: d.id,
          sha: d.sha,
          environment: d.environment,
          task: d.task,
          description: d.description,
          payload: d.payload,
          created_at: d.createdAt,
        })),
      ]),
    );
  }

  /** The webhooks of a branch moving: push, and pull_request.synchronize for the open PRs whose head it is. */
  pushed(branch: string, before: string, after: string, message: string, sender: string): void {
    if (!this.events) return;
    this.events(
      "push",
      pushEvent({ ref: `refs/heads/${branch}`, before, after, message, timestamp: new Date().toISOString(), pusher: sender }),
    );
    for (const pr of this.pulls.values())
      if (pr.state === "open" && pr.headRef === branch)
        this.events("pull_request", this.pullRequestEventOf(pr, "synchronize", sender, before));
  }

  pullRequestEventOf(pr: PullRequest, action: "opened" | "synchronize" | "closed", sender: string, before?: string): object {
    const payload = pullRequestEvent({
      action,
      number: pr.number,
      title: pr.title,
      headRef: pr.headRef,
      headSha: this.head(pr.headRef),
      baseSha: action === "synchronize" && before ? before : this.head(pr.baseRef),
      sender: { login: sender, type: sender === this.botLogin ? "Bot" : "User" },
      ...(action === "closed" ? { merged: pr.merged, ...(pr.mergeCommitSha ? { mergeCommitSha: pr.mergeCommitSha } : {}) } : {}),
    });
    if (action === "synchronize") (payload.pull_request as { base: { sha: string } }).base.sha = this.head(pr.baseRef);
    (payload.pull_request as { labels: { name: string }[] }).labels = pr.labels.map((name) => ({ name }));
    return payload;
  }

  /** A commit of whole files on a branch, made as createCommitOnBranch makes them (null: the branch moved). */
  async commitFiles(
    branch: string,
    expected: string,
    files: { path: string; contents: string }[],
    message: string,
    author: string,
  ): Promise<string | null> {
    const result = await this.createCommit(
      {
        branch: { repositoryNameWithOwner: `${owner}/${repo}`, branchName: branch },
        expectedHeadOid: expected,
        message: { headline: message },
        fileChanges: { additions: files },
      },
      { author, silent: true },
    );
    return result.data.createCommitOnBranch?.commit.oid ?? null;
  }

  uninstall(): void {
    nock.cleanAll();
    nock.emitter.removeAllListeners("no match");
    nock.enableNetConnect();
  }

  /**
   * The context query of src/github/pull-request-context.ts, answered from this fake's state:
   * `object(expression: "<rev>:<path>")` from the git object store (`HEAD:` is main, the default
   * branch; the configuration file lives in `config`), the comments as GraphQL pages them (a bot's
   * login without `[bot]`), the head branch's protection (`refUpdateRule`, null when it is not
   * protected; the ref null when the branch does not exist), open issues by label, newest first.
   * The organisation's `.github` repository exists only when `orgConfig` is set; otherwise GitHub's
   * NOT_FOUND error for that alias comes with the data.
   */
  pullRequestContext(query: string, variables: Record<string, unknown>) {
    const repository: Record<string, unknown> = {};
    const expression = String(variables.config ?? "");
    const configPath = expression.replace(/^HEAD:/, "");
    if (query.includes("config: object(")) repository.config = this.config === undefined ? null : textNode(this.config);
    const number = Number(variables.number);
    const all = this.comments.get(number) ?? [];
    const offset = variables.after === undefined ? 0 : Number(variables.after);
    const page = all.slice(offset, offset + 100);
    const end = offset + page.length;
    repository.pullRequest =
      this.pulls.has(number) || all.length
        ? {
            comments: {
              pageInfo: { hasNextPage: end < all.length, endCursor: String(end) },
              nodes: page.map((c) => ({
                fullDatabaseId: String(c.id),
                url: c.html_url,
                body: c.body,
                author: { __typename: c.user.type, login: c.user.type === "Bot" ? c.user.login.replace(/\[bot\]$/, "") : c.user.login },
              })),
            },
          }
        : null;
    if (typeof variables.headRef === "string") {
      const branch = variables.headRef.replace(/^refs\/heads\//, "");
      const exists = spawnSync("git", ["-C", this.gitDir, "rev-parse", "--verify", "-q", `refs/heads/${branch}`]).status === 0;
      repository.head = exists ? { refUpdateRule: this.protectedBranches.has(branch) ? { pattern: branch } : null } : null;
    }
    if (typeof variables.label === "string") {
      const label = variables.label;
      repository.issues = {
        nodes: this.issues
          .filter((i) => i.state === "open" && i.labels.includes(label))
          .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.number - a.number)
          .slice(0, 100)
          .map((i) => ({
            number: i.number,
            title: i.title,
            body: i.body,
            url: `https://github.com/${owner}/${repo}/issues/${i.number}`,
            createdAt: i.createdAt,
            author: { __typename: i.user.type, login: i.user.type === "Bot" ? i.user.login.replace(/\[bot\]$/, "") : i.user.login },
          })),
      };
    }
    const paths = Object.entries(variables)
      .filter(([k]) => /^p\d+$/.test(k))
      .map(([k, v]) => {
        const [rev, ...rest] = String(v).split(":");
        return [k, `${rev === "HEAD" ? "main" : rev}:${rest.join(":")}`] as const;
      });
    const found = this.objects(paths.map(([, name]) => name));
    for (const [k, name] of paths) {
      const object = found.get(name);
      repository[k] = object ? this.blobNode(object.oid) : null;
    }
    if (query.includes("kustodianPullRequestComments")) return { data: { repository } };
    if (this.orgConfig !== undefined) return { data: { repository, org: { config: configPath ? textNode(this.orgConfig) : null } } };
    return {
      data: { repository, org: null },
      errors: [{ type: "NOT_FOUND", path: ["org"], message: `Could not resolve to a Repository with the name '${owner}/.github'.` }],
    };
  }

  /** A Blob as GraphQL shows it: text null for a binary blob (one with a NUL byte), as GitHub does. */
  blobNode(sha: string) {
    const object = this.objects([sha]).get(sha);
    const bytes = object?.type === "blob" ? object.bytes : Buffer.alloc(0);
    const binary = bytes.includes(0);
    return { oid: sha, text: binary ? null : bytes.toString("utf8"), isBinary: binary, isTruncated: false, byteSize: bytes.length };
  }

  blobText(sha: string): string {
    const object = this.objects([sha]).get(sha);
    return object?.type === "blob" ? object.bytes.toString("utf8") : "";
  }

  // Git objects never change, so the fake reads each one from git once (calls are still recorded
  // per request): the app and rollout tests asked for the same blobs, trees and commits hundreds
  // of times per file, each time a git process.
  readonly #objects = new Map<string, GitObject>();
  readonly #trees = new Map<string, ReturnType<FakeGitHub["readTree"]>>();

  /**
   * Objects by name (a sha, or `<rev>:<path>`), the ones not read yet in one `git cat-file
   * --batch`; a name git cannot resolve is left out. Objects are remembered by their sha.
   */
  objects(names: readonly string[]): Map<string, GitObject> {
    const found = new Map<string, GitObject>();
    const unread = [...new Set(names.filter((name) => !this.#objects.has(name)))].filter((name) => !name.includes("\n"));
    if (unread.length > 0) {
      const out = spawnSync("git", ["-C", this.gitDir, "cat-file", "--batch"], {
        input: unread.map((name) => `${name}\n`).join(""),
        maxBuffer: 1024 * 1024 * 1024,
      }).stdout;
      let at = 0;
      for (const name of unread) {
        const eol = out.indexOf(0x0a, at);
        if (eol === -1) break;
        // "<oid> <type> <size>", the content and a newline; or "<name> missing" (or "ambiguous").
        const head = /^([0-9a-f]{40}) (\w+) (\d+)$/.exec(out.subarray(at, eol).toString("utf8"));
        at = eol + 1;
        if (!head) continue;
        const end = at + Number(head[3]);
        const object = { oid: head[1]!, type: head[2]!, bytes: out.subarray(at, end) };
        at = end + 1;
        this.#objects.set(object.oid, object);
        found.set(name, object);
      }
    }
    for (const name of names) {
      const object = this.#objects.get(name);
      if (object) found.set(name, object);
    }
    return found;
  }

  tree(sha: string) {
    let tree = this.#trees.get(sha);
    if (!tree) {
      tree = this.readTree(sha);
      if (/^[0-9a-f]{40}$/.test(sha)) this.#trees.set(sha, tree);
    }
    return tree;
  }

  readTree(sha: string) {
    const out = this.git("ls-tree", "-r", "-l", "--full-tree", sha);
    const tree = out
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [meta, path] = line.split("\t");
        const [mode, type, objectSha, size] = meta!.split(/\s+/);
        return { path, mode, type, sha: objectSha, size: Number(size), url: `${api}/repos/${owner}/${repo}/git/blobs/${objectSha}` };
      });
    return {
      sha: this.gitOnce("rev-parse", `${sha}^{tree}`),
      url: `${api}/repos/${owner}/${repo}/git/trees/${sha}`,
      tree,
      truncated: false,
    };
  }

  pullPayload(pr: PullRequest) {
    const headSha = this.head(pr.headRef);
    const baseSha = this.head(pr.baseRef);
    const repository = { full_name: `${owner}/${repo}`, name: repo, owner: { login: owner }, default_branch: "main" };
    return {
      number: pr.number,
      title: pr.title,
      state: pr.state,
      merged: pr.merged,
      merge_commit_sha: pr.mergeCommitSha ?? null,
      merged_at: pr.merged ? "2026-01-01T00:00:00Z" : null,
      body: pr.body ?? null,
      user: { login: pr.author ?? "octocat", type: pr.author === this.botLogin ? "Bot" : "User" },
      html_url: `https://github.com/${owner}/${repo}/pull/${pr.number}`,
      draft: false,
      labels: pr.labels.map((name) => ({ name })),
      head: { sha: headSha, ref: pr.headRef, repo: pr.fork ? { ...repository, full_name: `outsider/${repo}` } : repository },
      base: { sha: baseSha, ref: pr.baseRef, repo: repository },
    };
  }

  /**
   * createCommitOnBranch as GitHub does it: atomic per branch. The commit is built from the
   * expected head without a shared index (each request its own GIT_INDEX_FILE), then the branch
   * moves by compare-and-swap; whoever finds the head moved gets STALE_DATA, never a 500.
   */
  async createCommit(input: CommitInput, options: { author?: string; silent?: boolean } = {}) {
    if (this.beforeNextCommit) {
      const hook = this.beforeNextCommit;
      this.beforeNextCommit = undefined;
      await hook();
    }
    const branch = input.branch.branchName;
    const expected = input.expectedHeadOid;
    if (this.head(branch) !== expected) return staleData(expected);
    const scratch = await mkdtemp(join(tmpdir(), "fake-github-index-"));
    const env = {
      ...process.env,
      GIT_INDEX_FILE: join(scratch, "index"),
      GIT_AUTHOR_NAME: options.author ?? this.botLogin,
      GIT_AUTHOR_EMAIL: "bot@example.com",
      GIT_COMMITTER_NAME: "GitHub",
      GIT_COMMITTER_EMAIL: "noreply@github.com",
    };
    const g = async (args: string[], stdin?: string) => {
      const child = run("git", ["-C", this.gitDir, ...args], { env });
      if (stdin !== undefined) child.child.stdin!.end(stdin);
      return (await child).stdout.trim();
    };
    const message = input.message.body ? `${input.message.headline}\n\n${input.message.body}` : input.message.headline;
    let oid: string;
    try {
      await g(["read-tree", expected]);
      for (const add of input.fileChanges.additions ?? []) {
        const sha = await g(["hash-object", "-w", "--stdin"], Buffer.from(add.contents, "base64").toString("utf8"));
        await g(["update-index", "--add", "--cacheinfo", `100644,${sha},${add.path}`]);
      }
      for (const del of input.fileChanges.deletions ?? []) await g(["update-index", "--force-remove", del.path]);
      const tree = await g(["write-tree"]);
      oid = await g(["commit-tree", tree, "-p", expected, "-m", message]);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    // The compare-and-swap: one request at a time per branch (git's ref lock would refuse a
    // concurrent one outright instead of letting it compare), and update-ref checks the old value.
    const moved = await this.#onBranch(branch, async () => {
      if (this.head(branch) !== expected) return false;
      await g(["update-ref", `refs/heads/${branch}`, oid, expected]);
      return true;
    });
    if (!moved) return staleData(expected);
    if (options.silent)
      return { data: { createCommitOnBranch: { commit: { oid, url: `https://github.com/${owner}/${repo}/commit/${oid}` } } } };
    this.afterCommit?.({ branch, before: expected, after: oid, message });
    this.pushed(branch, expected, oid, message, this.botLogin);
    return { data: { createCommitOnBranch: { commit: { oid, url: `https://github.com/${owner}/${repo}/commit/${oid}` } } } };
  }

  #branchLocks = new Map<string, Promise<unknown>>();
  /** Runs `step` after every earlier step on the same branch has finished. */
  #onBranch<T>(branch: string, step: () => Promise<T>): Promise<T> {
    const result = (this.#branchLocks.get(branch) ?? Promise.resolve()).then(step);
    this.#branchLocks.set(
      branch,
      result.catch(() => undefined),
    );
    return result;
  }
}

function textNode(text: string) {
  return {
    oid: createHash("sha1")
      .update(`blob ${Buffer.byteLength(text)}\0`)
      .update(text)
      .digest("hex"),
    text,
    isBinary: false,
    isTruncated: false,
    byteSize: Buffer.byteLength(text),
  };
}

function staleData(expected: string) {
  return {
    data: { createCommitOnBranch: null },
    errors: [
      {
        type: "STALE_DATA",
        path: ["createCommitOnBranch"],
        message: `Expected branch to point to "${expected}" but it did not.  Pull and try again.`,
      },
    ],
  };
}

interface CommitInput {
  branch: { repositoryNameWithOwner: string; branchName: string };
  expectedHeadOid: string;
  message: { headline: string; body?: string };
  fileChanges: { additions?: { path: string; contents: string }[]; deletions?: { path: string }[] };
}

type Reply = [number, unknown?, Record<string, string>?];

interface GitObject {
  oid: string;
  type: string;
  bytes: Buffer;
}
type Handler = (path: string, body: unknown, request: Request) => Promise<Reply>;
type Responder = (request: Request) => Promise<Reply>;

/**
 * nock 15 calls a reply function with the fetch Request alone (a function of two parameters
 * would be taken as callback-style); give handlers the path, the parsed JSON body and the request.
 */
function route(handler: Handler): Responder {
  return async (request: Request) => {
    const url = new URL(request.url);
    const text = request.method === "GET" || request.method === "DELETE" ? "" : await request.text();
    return handler(url.pathname + url.search, text ? JSON.parse(text) : undefined, request);
  };
}

/**
 * Routes by method and path, written the way nock scopes are (`.get(path).reply(fn)`,
 * `.query(true)`): a string matches the path without its query, a RegExp the path with it.
 */
export class RouteTable {
  readonly #routes: { method: string; path: string | RegExp; reply?: Responder }[] = [];

  get(path: string | RegExp) {
    return this.#add("GET", path);
  }
  post(path: string | RegExp) {
    return this.#add("POST", path);
  }
  patch(path: string | RegExp) {
    return this.#add("PATCH", path);
  }
  put(path: string | RegExp) {
    return this.#add("PUT", path);
  }
  delete(path: string | RegExp) {
    return this.#add("DELETE", path);
  }

  #add(method: string, path: string | RegExp) {
    const entry: { method: string; path: string | RegExp; reply?: Responder } = { method, path };
    this.#routes.push(entry);
    const chain = {
      query: (_any: true) => chain,
      reply: (reply: Responder) => {
        entry.reply = reply;
      },
    };
    return chain;
  }

  find(request: Request): Responder | undefined {
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    return this.#routes.find(
      (r) => r.method === method && (typeof r.path === "string" ? r.path === url.pathname : r.path.test(url.pathname + url.search)),
    )?.reply;
  }
}

/** The user a request is made as: `Authorization: token ghp_standin_<login>` (undefined: the app's installation token). */
function userOf(request: Request): string | undefined {
  const m = /^(?:token|bearer) ghp_standin_(.+)$/i.exec(request.headers.get("authorization") ?? "");
  return m?.[1];
}

function callName(c: Call): string {
  if (c.operation) return c.operation;
  if (c.path.includes("/git/trees/")) return "tree";
  return c.path;
}
