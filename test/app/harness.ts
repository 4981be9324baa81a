import { spawnSync } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import type { Logger } from "probot";
import { blobCache } from "../../src/github/blob-cache.ts";
import { requestBodiesOutOfLogs } from "../../src/github/request-log.ts";
import { createKustodianApp, type KustodianApp, type KustodianOptions } from "../../src/app/index.ts";
import { sampleGitRepo, git } from "../helpers/git-repo.ts";
import { FakeGitHub } from "./fake-github.ts";
import { botLogin, installationId, owner, pullRequestEvent, repo, type PullRequestOptions } from "./payloads.ts";
import type { GitHubClient } from "../../src/github/client.ts";
import type { RepoClient } from "../../src/rollout/repo-client.ts";

const secret = "kustodian-test-secret";
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

export interface Harness {
  github: FakeGitHub;
  probot: Probot;
  app: KustodianApp;
  /** Delivers a webhook as GitHub does: JSON body, X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256. */
  deliver(name: string, payload: object, deliveryId?: string): Promise<void>;
  /** Waits until the app has finished the work the deliveries queued. */
  settle(): Promise<void>;
  dir: string;
  /** Waits the app asked for after rate limits (ms); nothing really sleeps in tests. */
  sleeps: number[];
}

/**
 * ProbotOctokit with retries and throttling off. A function default, because Probot wraps the
 * class again (lib/octokit/get-probot-octokit-with-defaults.js) and merges its own `throttle`
 * options (without `enabled`) over object defaults, after which ProbotOctokit's defaults turn the
 * throttle back on. A function default runs on every construction, after Probot's.
 */
export const testOctokitClass = ProbotOctokit.plugin(requestBodiesOutOfLogs as never).defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options.throttle as object | undefined), enabled: false },
}));

/** A Probot instance as the harness makes it (same key and webhook secret): a second app instance on the same fake GitHub. */
export function testProbot(log?: Logger): Probot {
  return new Probot({
    appId: 1,
    privateKey,
    secret,
    logLevel: (process.env.LOG_LEVEL as "fatal" | undefined) ?? "fatal",
    ...(log ? { log } : {}),
    Octokit: testOctokitClass,
  });
}

/** Delivers a signed webhook to a Probot instance. */
export async function deliverTo(probot: Probot, name: string, payload: object, deliveryId: string = randomUUID()): Promise<void> {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  await probot.webhooks.verifyAndReceive({ id: deliveryId, name: name as "push", payload: body, signature });
}

/** `appOptions` go to createKustodianApp (e.g. the rollout orchestrator). */
export async function startHarness(
  appOptions: Omit<KustodianOptions, "botLogin" | "sleep"> = {},
  options: {
    repoDir?: string;
    /** The app's logger (Probot's `log` option); default: Probot's own at LOG_LEVEL, fatal when unset. */
    log?: Logger;
  } = {},
): Promise<Harness> {
  // The fake GitHub serves a git repository with a main branch: the sample one unless given.
  const dir = options.repoDir ?? (await sampleGitRepo());
  const github = new FakeGitHub(dir, botLogin);
  github.install();
  // Blobs are cached by content hash across events; start each test cold so call counts are exact.
  blobCache.clear();
  const probot = testProbot(options.log);
  const sleeps: number[] = [];
  const app = createKustodianApp({ ...appOptions, botLogin, sleep: async (ms) => void sleeps.push(ms) });
  await probot.load(app.appFn);
  return {
    github,
    probot,
    app,
    dir,
    sleeps,
    deliver: (name, payload, deliveryId) => deliverTo(probot, name, payload, deliveryId),
    settle: () => app.queue.idle(),
  };
}

/** A PR branch where a person changed an environment file (and, as people do, not the overlay). */
export async function openBranch(
  dir: string,
  branch: string,
  edit: (text: string) => string,
  file = "environments/staging.yaml",
): Promise<string> {
  const { readFile, writeFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  await git(dir, "checkout", "-q", "-B", branch, "main");
  const path = join(dir, file);
  await writeFile(path, edit(await readFile(path, "utf8")));
  await git(dir, "commit", "-qam", `edit ${file}`);
  const sha = await git(dir, "rev-parse", "HEAD");
  await git(dir, "checkout", "-q", "main");
  return sha;
}

/** PR 7 from `branch` (at `headSha`) into main, open on the fake GitHub; delivers its `opened` event and waits for kustodian's work on it. */
export async function deliverPullRequestOpened(
  h: Harness,
  branch: string,
  headSha: string,
  options: { title?: string; fork?: boolean } = {},
): Promise<void> {
  const fork = options.fork ?? false;
  h.github.pulls.set(7, {
    number: 7,
    title: options.title ?? "t",
    headRef: branch,
    baseRef: "main",
    fork,
    state: "open",
    merged: false,
    labels: [],
  });
  await h.deliver("pull_request", pullRequestEvent({ action: "opened", headSha, baseSha: h.github.head("main"), headRef: branch, fork }));
  await h.settle();
}

/**
 * A push to a pull request's branch as GitHub reports it: its `synchronize` event, head and base
 * as the fake GitHub has them now; waits for kustodian's work on it.
 */
export async function deliverPush(
  h: Harness,
  options: { branch?: string; number?: number; sender?: PullRequestOptions["sender"] } = {},
): Promise<void> {
  const branch = options.branch ?? "bump-wordpress";
  await h.deliver(
    "pull_request",
    pullRequestEvent({
      action: "synchronize",
      headSha: h.github.head(branch),
      baseSha: h.github.head("main"),
      headRef: branch,
      ...(options.number === undefined ? {} : { number: options.number }),
      ...(options.sender ? { sender: options.sender } : {}),
    }),
  );
  await h.settle();
}

export interface GitIdentity {
  name: string;
  email: string;
}

/**
 * A commit made with git plumbing in the fake GitHub's repository (a push nobody is told of):
 * `files` edited from `branch`'s head (each edit gets the old text). Its own index file, so the
 * working tree is left alone. Author and committer are the repository's configured ones unless given.
 */
export function commitFiles(
  github: FakeGitHub,
  branch: string,
  files: Record<string, (old: string) => string>,
  message: string,
  who: { author?: GitIdentity; committer?: GitIdentity } = {},
): string {
  const head = github.head(branch);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_INDEX_FILE: `${github.gitDir}/.git/test-commit-index`,
    ...(who.author ? { GIT_AUTHOR_NAME: who.author.name, GIT_AUTHOR_EMAIL: who.author.email } : {}),
    ...(who.committer ? { GIT_COMMITTER_NAME: who.committer.name, GIT_COMMITTER_EMAIL: who.committer.email } : {}),
  };
  const run = (args: string[], input?: string) => {
    const r = spawnSync("git", ["-C", github.gitDir, ...args], { encoding: "utf8", env, ...(input === undefined ? {} : { input }) });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  };
  run(["read-tree", head]);
  for (const [path, edit] of Object.entries(files)) {
    const old = spawnSync("git", ["-C", github.gitDir, "cat-file", "-p", `${head}:${path}`], { encoding: "utf8" }).stdout;
    run(["update-index", "--add", "--cacheinfo", `100644,${run(["hash-object", "-w", "--stdin"], edit(old))},${path}`]);
  }
  const sha = run(["commit-tree", run(["write-tree"]), "-p", head, "-m", message]);
  github.git("update-ref", `refs/heads/${branch}`, sha, head);
  return sha;
}

/** A commit on main editing environments/prod.yaml, author and committer "t" (the attribution and after-merge mask tests). */
export function commitProdEditOnMain(github: FakeGitHub, edit: (text: string) => string, message: string): string {
  const t = { name: "t", email: "t@example.com" };
  return commitFiles(github, "main", { "environments/prod.yaml": edit }, message, { author: t, committer: t });
}

/** The app's installation Octokit on the fake GitHub as the rollout side's RepoClient (acme/gitops, main). */
export async function repoClientOf(h: Harness): Promise<RepoClient> {
  return { octokit: (await h.probot.auth(installationId)) as unknown as GitHubClient, repo: { owner, repo }, defaultBranch: "main" };
}
