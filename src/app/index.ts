import type { Context, Probot } from "probot";
import type { GitHubClient, RepoRef } from "../github/client.ts";
import { parseCommands } from "../commands/parse.ts";
import { handleCommandComment, type PullRequestState } from "./command-flow.ts";
import { AppConfig, configFileName, parseAppConfigText } from "../config/app-config.ts";
import { readConfigText } from "../github/read-config.ts";
import { statusOf } from "../github/http-error.ts";
import { pullRequestContextRequest, syncPullRequest } from "./pull-request-flow.ts";
import { readPullRequestContext, type ConfigFile } from "../github/pull-request-context.ts";
import { contentFailure, reportPullRequestFailure } from "./pull-request-failure.ts";
import { WorkQueue } from "./work-queue.ts";
import { PlannedHeads } from "./planned-heads.ts";
import { reportJobFailure } from "./report-failure.ts";
import { replyToIssue } from "../github/reactions.ts";
import { userMessageOf } from "../github/user-error.ts";
import { withRetryAfter } from "../github/rate-limit.ts";
import { defaultBotLogin } from "../github/bot-login.ts";
import { pushInfoOf } from "../rollout/merge.ts";
import type { RolloutOrchestrator } from "../rollout/orchestrator.ts";
import type { WebhookMetrics } from "../metrics/metrics.ts";
import { randomUUID } from "node:crypto";
import type { Clock } from "../clock/clock.ts";
import { systemClock } from "../clock/system-clock.ts";
import { readAppConfig } from "../rollout/read-app-config.ts";
import { secretWordsOf } from "../plan/secret-values.ts";
import { silentLog, errorFields } from "../log/log.ts";
import { freezeCommands } from "./freeze-commands.ts";
import type { DeliveryMetrics } from "../metrics/metrics.ts";
import { updateDoraGauges } from "./dora-gauges.ts";
import { createGateService, type GateDeps, type GateService } from "./gate-service.ts";

export interface KustodianOptions {
  /** Waits between rate-limited retries (tests pass a recorder; default a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** The app's bot login; its own pushes and comments are ignored (no loops). */
  botLogin?: string;
  /** `/rollback` on a merged PR is handed to the rollout watcher when one runs in this process. */
  rollback?: (pr: PullRequestState, requestedBy: string) => Promise<string>;
  /** After a merge: GitHub Deployments, the rollout verdict and the revert (src/rollout); also answers `/rollback`. */
  rollout?: Pick<RolloutOrchestrator, "handlePush" | "rollback">;
  /** Deliveries are counted here by event and outcome (src/metrics); default: not counted. */
  metrics?: WebhookMetrics;
  /** DORA gauges, updated when one of kustodian's rollouts concludes; default: not kept. */
  dora?: DeliveryMetrics;
  /** Time for the gates (soak and freeze timers); default the wall clock. */
  clock?: Clock;
}

export interface KustodianApp {
  /** The Probot application function: `probot.load(app.appFn)`. */
  appFn: (app: Probot) => void;
  /** Work accepted from webhooks and not finished yet. */
  queue: WorkQueue;
  /** The promotion and freeze gates (their timers). */
  gates: GateService;
}

const pullRequestActions = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.ready_for_review",
] as const;

/**
 * Wiring only: each webhook is turned into inputs for a flow and queued, so GitHub gets its
 * answer at once; the flows do the work.
 */
export function createKustodianApp(options: KustodianOptions = {}): KustodianApp {
  const botLogin = options.botLogin ?? defaultBotLogin();
  let log: Probot["log"] | undefined;
  const queue = new WorkQueue({ onError: (error, key) => log?.error({ err: errorFields(error), key }, "kustodian work failed") });
  const plannedHeads = new PlannedHeads();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // Every job is idempotent (it recomputes from GitHub's current state), so after a rate limit
  // the whole job runs again once GitHub's retry-after has passed.
  const metrics = options.metrics;
  // A job that still fails is reported where it was asked for (`onFailure`: the PR's check and
  // comment, or a reply), never only logged: a required check must not stay pending forever.
  const enqueue = (
    event: string,
    key: string,
    delivery: string,
    work: () => Promise<void>,
    onFailure?: (error: unknown) => Promise<void>,
  ) => {
    const queued = queue.enqueue(key, delivery, async () => {
      try {
        await withRetryAfter(work, { sleep, maxWaitSeconds: 300, attempts: 3 });
      } catch (error) {
        metrics?.delivery(event, "failed");
        if (!onFailure) throw error;
        log?.error({ err: errorFields(error), key }, "kustodian work failed; reported on the pull request");
        await onFailure(error);
      }
    });
    metrics?.delivery(event, queued ? "queued" : "duplicate");
  };
  const ignored = (event: string) => metrics?.delivery(event, "ignored");

  const clock = options.clock ?? systemClock;
  const gates = createGateService({
    clock,
    schedule: (key, work) => enqueue("gate_recheck", key, `recheck-${randomUUID()}`, work),
    depsFor: async (octokit, repo) => ({
      octokit,
      log: log ?? silentLog,
      botLogin,
      config: await readAppConfig({ octokit, repo, defaultBranch: "" }),
    }),
  });
  /** Every open pull request of the repository, each re-evaluated in its own job. */
  const reevaluateOpen = async (deps: GateDeps, repo: RepoRef, force: boolean) => {
    for (const number of await gates.openPullRequests(deps, repo)) {
      enqueue("gate_recheck", `${repo.owner}/${repo.repo}#${number}`, `reevaluate-${randomUUID()}`, async () => {
        await gates.reevaluate(deps, repo, number, force ? { forceFreezeCheck: true } : {});
      });
    }
  };
  const withGates = (context: Context, config: AppConfig) => {
    const base = { ...deps(context, botLogin), secretWords: secretWordsOf(config) };
    return { ...base, gates: (subject: Parameters<GateService["evaluate"]>[1]) => gates.evaluate({ ...base, config }, subject) };
  };

  const appFn = (app: Probot) => {
    log = app.log;
    app.on([...pullRequestActions], async (context) => {
      const payload = context.payload;
      if (payload.action === "synchronize" && payload.sender.login === botLogin) {
        context.log.info({ pr: payload.number }, "skipping the push kustodian made itself");
        return ignored("pull_request");
      }
      if (payload.pull_request.draft && payload.action !== "ready_for_review") return ignored("pull_request");
      const repo = context.repo();
      enqueue(
        "pull_request",
        `${repo.owner}/${repo.repo}#${payload.number}`,
        context.id,
        async () => {
          const pr = pullRequestState(repo, payload.pull_request);
          // ONE request for the configuration, the comments, the head's protection, the freeze
          // records and the layout files (src/github/pull-request-context.ts).
          const prContext = await readPullRequestContext(context.octokit as unknown as GitHubClient, pullRequestContextRequest(pr));
          const { config, problems } = configOf(prContext.config);
          const synced = await syncPullRequest(
            withGates(context, config),
            pr,
            () => loadPullRequest(context.octokit, repo, pr.number),
            problems,
            prContext,
          ).catch(async (error: unknown) => {
            // The PR's own content stopped the job: say so on the PR (a failing check), not only in a log line.
            const failure = contentFailure(error);
            if (!failure) throw error;
            await reportPullRequestFailure(deps(context, botLogin), pr, failure);
            return undefined;
          });
          if (synced) plannedHeads.set(PlannedHeads.key(pr), synced.headSha);
        },
        (error) =>
          // Anything else (GitHub errors, bugs): still a failing check and a comment, in user words.
          reportJobFailure(deps(context, botLogin), { ...repo, number: payload.number, headSha: payload.pull_request.head.sha }, error),
      );
    });

    app.on("issue_comment.created", async (context) => {
      const { payload } = context;
      if (!payload.issue.pull_request || payload.comment.user?.type === "Bot" || payload.comment.user?.login === botLogin)
        return ignored("issue_comment");
      // Most comments are conversation: no API call at all for them.
      if (parseCommands(payload.comment.body ?? "").length === 0) return ignored("issue_comment");
      const repo = context.repo();
      const number = payload.issue.number;
      enqueue(
        "issue_comment",
        `${repo.owner}/${repo.repo}#${number}`,
        context.id,
        async () => {
          const { config, problems } = await loadConfig(context);
          await handleCommandComment(
            {
              ...withGates(context, config),
              config,
              configProblems: problems,
              plannedHeads,
              freezes: freezeCommands({
                octokit: context.octokit as unknown as GitHubClient,
                botLogin,
                now: () => new Date(clock.now()),
                reevaluateOpen: () => reevaluateOpen({ ...deps(context, botLogin), config }, repo, true),
              }),
              loadPullRequest: () => loadPullRequest(context.octokit, repo, number),
              ...(options.rollback ? { rollback: options.rollback } : {}),
              ...(!options.rollback && options.rollout ? { rollback: rollbackVia(options.rollout, context, repo, botLogin) } : {}),
            },
            {
              repo,
              issueNumber: number,
              commentId: payload.comment.id,
              body: payload.comment.body ?? "",
              author: payload.comment.user?.login ?? "",
            },
          );
        },
        async (error) => {
          await replyToIssue(context.octokit as unknown as GitHubClient, {
            repo,
            issueNumber: number,
            body: `kustodian could not answer this comment: ${userMessageOf(error)}`,
          });
        },
      );
    });

    // One of kustodian's rollouts concluded: promotion gates that wait for it are looked at again.
    app.on("deployment_status.created", async (context) => {
      const { payload } = context;
      const creator = payload.deployment.creator;
      if (creator?.login !== botLogin) return ignored("deployment_status");
      if (!["success", "failure", "error"].includes(payload.deployment_status.state)) return ignored("deployment_status");
      const repo = context.repo();
      enqueue("deployment_status", `${repo.owner}/${repo.repo}@gates`, context.id, async () => {
        const { config } = await loadConfig(context);
        await reevaluateOpen({ ...deps(context, botLogin), config }, repo, false);
      });
      const dora = options.dora;
      if (dora) {
        enqueue("deployment_status", `${repo.owner}/${repo.repo}@dora`, `dora-${context.id}`, async () => {
          await updateDoraGauges(dora, { octokit: context.octokit as unknown as GitHubClient, repo, botLogin, now: new Date(clock.now()) });
        });
      }
    });

    // A merge to the default branch: its Deployments, watched by the rollout orchestrator.
    app.on("push", async (context) => {
      const { payload } = context;
      const rollout = options.rollout;
      const defaultBranch = payload.repository.default_branch;
      if (!rollout || !defaultBranch || payload.ref !== `refs/heads/${defaultBranch}`) return ignored("push");
      const repo = context.repo();
      enqueue("push", `${repo.owner}/${repo.repo}@${defaultBranch}`, context.id, async () => {
        await rollout.handlePush(
          {
            octokit: context.octokit as unknown as GitHubClient,
            repo,
            defaultBranch,
            botLogin,
            ...(payload.installation?.id ? { installationId: payload.installation.id } : {}),
            ...(payload.repository.html_url ? { htmlUrl: payload.repository.html_url } : {}),
          },
          pushInfoOf(payload),
        );
      });
    });
  };
  return { appFn, queue, gates };
}

function rollbackVia(rollout: NonNullable<KustodianOptions["rollout"]>, context: Context, repo: RepoRef, botLogin: string) {
  return (pr: PullRequestState, requestedBy: string) =>
    rollout.rollback(
      {
        octokit: context.octokit as unknown as GitHubClient,
        repo,
        defaultBranch: pr.baseRef,
        botLogin,
        ...htmlUrlOf(context.payload),
      },
      pr,
      requestedBy,
    );
}

/** The repository's web address as the payload gives it (GitHub Enterprise included). */
function htmlUrlOf(payload: unknown): { htmlUrl?: string } {
  const url = (payload as { repository?: { html_url?: unknown } }).repository?.html_url;
  return typeof url === "string" && url ? { htmlUrl: url } : {};
}

function deps(context: Context, botLogin: string) {
  return { octokit: context.octokit as unknown as GitHubClient, log: context.log, botLogin };
}

/** `.github/kustodian.yml`; a bad file is reported on the PR (kustodian then runs on defaults), never thrown. */
async function loadConfig(context: Context): Promise<{ config: AppConfig; problems: string[] }> {
  // Read raw (the repository's file, else the organisation's .github repository's, as Probot's
  // context.config does) and parsed here, so a problem carries its line and column, and never
  // the client's error text with API URLs in it.
  let found: { repo: string; text: string } | undefined;
  try {
    found = await readConfigText(context.octokit as unknown as GitHubClient, context.repo(), `.github/${configFileName}`);
  } catch (error) {
    const status = statusOf(error);
    return { config: AppConfig.parse({}), problems: [`.github/${configFileName}: could not be read${status ? ` (HTTP ${status})` : ""}`] };
  }
  return configOf(found);
}

/** The configuration a file holds: defaults, with the problems, when it is unreadable or invalid; defaults when there is none. */
function configOf(found: ConfigFile | undefined): { config: AppConfig; problems: string[] } {
  if (!found) return { config: AppConfig.parse({}), problems: [] };
  if ("unreadable" in found) return { config: AppConfig.parse({}), problems: [`.github/${configFileName}: ${found.unreadable}`] };
  const parsed = parseAppConfigText(found.text);
  return parsed.ok ? { config: parsed.config, problems: [] } : { config: AppConfig.parse({}), problems: parsed.problems };
}

interface PullRequestPayload {
  number: number;
  title: string;
  state: string;
  merged?: boolean | null;
  merge_commit_sha?: string | null;
  labels?: { name?: string }[];
  head: { sha: string; ref: string; repo: { full_name: string } | null };
  base: { sha: string; ref: string; repo: { full_name: string; default_branch?: string } };
}

function pullRequestState(repo: RepoRef, pr: PullRequestPayload): PullRequestState {
  return {
    ...repo,
    number: pr.number,
    title: pr.title,
    state: pr.state === "open" ? "open" : "closed",
    merged: pr.merged === true,
    mergeCommitSha: pr.merge_commit_sha ?? null,
    labels: (pr.labels ?? []).flatMap((l) => (l.name ? [l.name] : [])),
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    baseSha: pr.base.sha,
    baseRef: pr.base.ref,
    // A deleted fork has no head repository; it is still not ours to push to.
    fork: pr.head.repo === null || pr.head.repo.full_name !== pr.base.repo.full_name,
    // Unknown is never taken for "not the default branch" (src/commands/write-boundary.ts refuses "").
    defaultBranch: pr.base.repo.default_branch ?? "",
  };
}

async function loadPullRequest(octokit: Context["octokit"], repo: RepoRef, number: number): Promise<PullRequestState> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...repo, pull_number: number });
  return pullRequestState(repo, data as PullRequestPayload);
}

export default createKustodianApp().appFn;
