// When the gates are looked at again without a new push:
// - a rollout of kustodian's concludes (deployment_status webhook): every open pull request of the
//   repository is re-evaluated (one list call, then each pull request's gates);
// - the answer changes by itself (a soak completes, a freeze ends or starts): a timer on the
//   injected clock, one per pull request, set from the gate's own `recheckAt`;
// - `/freeze`, `/unfreeze`: every open pull request, the freeze check always published.
// Timers live in memory: after a restart they are set again by the next event of each pull
// request, by any deployment_status of the repository, or by `resume` (server start), which
// re-evaluates the open pull requests of every installed repository once.
import type { Clock } from "../clock/clock.ts";
import type { AppConfig } from "../config/app-config.ts";
import type { GitHubClient, RepoRef } from "../github/client.ts";
import { readGitOpsFilesAtCommits } from "../github/read-files.ts";
import { evaluateGates, type GateOutcome, type GateSubject } from "./gate-flow.ts";
import type { FlowDeps } from "./pull-request-flow.ts";

export interface GateService {
  /** After a pull request's plan: decide, publish, and set its timer. */
  evaluate(deps: GateDeps, subject: GateSubject, options?: { forceFreezeCheck?: boolean }): Promise<GateOutcome>;
  /** Reads the pull request as it is now and evaluates it (nothing for a closed one). */
  reevaluate(deps: GateDeps, repo: RepoRef, number: number, options?: { forceFreezeCheck?: boolean }): Promise<GateOutcome | undefined>;
  /** The open pull requests of a repository (up to 100, one call). */
  openPullRequests(deps: GateDeps, repo: RepoRef): Promise<number[]>;
  /** Timers set, by pull request (`owner/repo#n` → ms); for tests and logs. */
  pending(): ReadonlyMap<string, number>;
  stop(): void;
}

export interface GateDeps extends FlowDeps {
  botLogin: string;
  config: AppConfig;
}

export interface GateServiceOptions {
  clock: Clock;
  /** Queues a re-evaluation (the app's work queue, keyed by pull request). */
  schedule: (key: string, work: () => Promise<void>) => void;
  /** The deps a timer uses when it fires (a fresh config: it may have changed since). */
  depsFor: (octokit: GitHubClient, repo: RepoRef) => Promise<GateDeps>;
}

export function createGateService(options: GateServiceOptions): GateService {
  const timers = new Map<string, { at: number; cancel: () => void }>();

  const arm = (deps: GateDeps, repo: RepoRef, number: number, at: Date | null) => {
    const key = `${repo.owner}/${repo.repo}#${number}`;
    const existing = timers.get(key);
    if (existing && (at === null || existing.at !== at.getTime())) {
      existing.cancel();
      timers.delete(key);
    }
    if (at === null || timers.has(key)) return;
    const ms = Math.max(at.getTime(), options.clock.now());
    const cancel = options.clock.at(ms, () => {
      timers.delete(key);
      options.schedule(key, async () => {
        const fresh = await options.depsFor(deps.octokit, repo);
        await service.reevaluate(fresh, repo, number);
      });
    });
    timers.set(key, { at: at.getTime(), cancel });
  };

  const service: GateService = {
    async evaluate(deps, subject, evalOptions = {}) {
      const outcome = await evaluateGates(deps, subject, {
        config: deps.config,
        now: new Date(options.clock.now()),
        ...(evalOptions.forceFreezeCheck ? { forceFreezeCheck: true } : {}),
      });
      arm(deps, subject.repo, subject.number, outcome.recheckAt);
      return outcome;
    },
    async reevaluate(deps, repo, number, evalOptions = {}) {
      const { data } = await deps.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...repo, pull_number: number });
      const pr = data as { state: string; title: string; head: { sha: string; ref: string }; base: { sha: string } };
      if (pr.state !== "open") {
        arm(deps, repo, number, null);
        return undefined;
      }
      // Both commits' blobs in one request per round (src/github/read-files.ts).
      const [head, base] = await readGitOpsFilesAtCommits(deps.octokit, repo, [pr.head.sha, pr.base.sha]);
      return service.evaluate(
        deps,
        { repo, number, title: pr.title, headRef: pr.head.ref, headSha: pr.head.sha, headFiles: head!.files, baseFiles: base!.files },
        evalOptions,
      );
    },
    async openPullRequests(deps, repo) {
      const { data } = await deps.octokit.request("GET /repos/{owner}/{repo}/pulls", { ...repo, state: "open", per_page: 100 });
      return (data as { number: number; state: string }[]).filter((p) => p.state === "open").map((p) => p.number);
    },
    pending: () => new Map([...timers].map(([k, v]) => [k, v.at])),
    stop() {
      for (const t of timers.values()) t.cancel();
      timers.clear();
    },
  };
  return service;
}
