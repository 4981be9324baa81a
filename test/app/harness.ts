import { spawnSync } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import type { Logger } from "probot";
import { blobCache } from "../../src/github/blob-cache.ts";
import { requestBodiesOutOfLogs } from "../../src/github/request-log.ts";
import { createKustodianApp, type KustodianApp, type KustodianOptions } from "../../src/app/index.ts";
import { sampleGitRepo, git } from "../helpers/git-repo.ts";
import { FakeGitHub } from "./fake-github.ts";
import { botLogin, pullRequestEvent } from "./payloads.ts";

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
 * A commit on main with environments/prod.yaml edited by `edit`, made directly in the fake
 * GitHub's repository (a push nobody is told of): the attribution and the after-merge mask read it
 * as they read a merge. Its own index file, so the working tree is left alone.
 */
export function commitProdEditOnMain(github: FakeGitHub, edit: (text: string) => string, message: string): string {
  const head = github.head("main");
  const env = {
    ...process.env,
    GIT_INDEX_FILE: `${github.gitDir}/.git/edit-index`,
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@example.com",
  };
  const run = (args: string[], input?: string) => {
    const r = spawnSync("git", ["-C", github.gitDir, ...args], {
      encoding: "utf8",
      env: { ...env, GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" },
      ...(input === undefined ? {} : { input }),
    });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout.trim();
  };
  run(["read-tree", head]);
  const old = run(["cat-file", "-p", `${head}:environments/prod.yaml`]);
  const blob = run(["hash-object", "-w", "--stdin"], edit(`${old}\n`));
  run(["update-index", "--add", "--cacheinfo", `100644,${blob},environments/prod.yaml`]);
  const sha = run(["commit-tree", run(["write-tree"]), "-p", head, "-m", message]);
  github.git("update-ref", "refs/heads/main", sha, head);
  return sha;
}
