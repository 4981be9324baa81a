import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Clock } from "../../src/clock/clock.ts";
import type { DoraFigures } from "../../src/metrics/metrics.ts";
import { git } from "../helpers/git-repo.ts";
import type { FakeDeployment } from "./fake-github.ts";
import { openBranch, startHarness, type Harness } from "./harness.ts";
import { botLogin, deploymentStatusEvent, issueCommentEvent, pullRequestEvent } from "./payloads.ts";

/** A clock that moves only when the test says; timers fire as it passes them. */
function manualClock(start: string) {
  let now = Date.parse(start);
  const timers: { at: number; fn: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    at(at, fn) {
      const timer = { at, fn };
      timers.push(timer);
      return () => void timers.splice(timers.indexOf(timer), 1);
    },
  };
  return {
    clock,
    advance(ms: number) {
      now += ms;
      for (const t of timers.filter((x) => x.at <= now).sort((a, b) => a.at - b.at)) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
    },
    iso: (offsetMs = 0) => new Date(now + offsetMs).toISOString(),
  };
}

let h: Harness;
let time: ReturnType<typeof manualClock>;
let gauges: { app: string; environment: string; figures: DoraFigures }[];
beforeEach(async () => {
  time = manualClock("2026-03-02T10:00:00Z");
  gauges = [];
  h = await startHarness({
    clock: time.clock,
    dora: { dora: (app, environment, figures) => void gauges.push({ app, environment, figures }) },
  });
});
afterEach(() => {
  h.app.gates.stop();
  h.github.uninstall();
  expect(h.github.unmatched).toEqual([]);
});

const minutes = (n: number) => n * 60_000;

/** A commit on main editing one environment file (as a merged PR would leave it). */
async function commitOnMain(file: string, edit: (text: string) => string): Promise<string> {
  const path = join(h.dir, file);
  await writeFile(path, edit(await readFile(path, "utf8")));
  await git(h.dir, "commit", "-qam", `edit ${file}`);
  return git(h.dir, "rev-parse", "HEAD");
}

/** kustodian's Deployment of `sha` to `environment`, as the rollout side records it. */
function recordDeployment(sha: string, environment: string, createdAt: string): FakeDeployment {
  const deployment: FakeDeployment = {
    id: 9000 + h.github.deployments.length,
    sha,
    environment,
    task: "deploy",
    description: `kustodian: #3 to ${environment}`,
    payload: {
      kustodian: 1,
      mergeSha: sha,
      baseSha: sha,
      pr: 3,
      title: "Bump wordpress in staging",
      workloads: ["wordpress"],
      target: {
        context: environment,
        namespace: `wordpress-${environment}`,
        sync: { tool: "argocd", application: `wordpress-${environment}`, namespace: "argocd" },
        slackSeconds: 2,
        mergedAt: createdAt,
      },
    },
    createdAt,
    statuses: [{ id: 1, state: "in_progress", description: "watching", createdAt }],
  };
  h.github.deployments.push(deployment);
  return deployment;
}

async function openPr(branch: string, file: string, edit: (t: string) => string, title = "Bump wordpress in prod") {
  const headSha = await openBranch(h.dir, branch, edit, file);
  h.github.pulls.set(7, { number: 7, title, headRef: branch, baseRef: "main", fork: false, state: "open", merged: false, labels: [] });
  await h.deliver("pull_request", pullRequestEvent({ action: "opened", headSha, baseSha: h.github.head("main"), headRef: branch, title }));
  await h.settle();
}

const checks = (name: string) => h.github.checkRuns.filter((c) => c.name === name);

describe("promotion with evidence", () => {
  it("a prod image PR is blocked until staging is Healthy for the soak time, then green without a new push", async () => {
    await commitOnMain("environments/prod.yaml", (t) =>
      t.replace("workloads:\n", "promotion:\n  after: staging\n  soak: 30m\nworkloads:\n"),
    );
    // staging got wordpress 6.7.1 in a merge; kustodian's Deployment is rolling out.
    const stagingMerge = await commitOnMain("environments/staging.yaml", (t) =>
      t.replace("wordpress:6.6.2-apache", "wordpress:6.7.1-apache"),
    );
    const deployment = recordDeployment(stagingMerge, "staging", time.iso(-minutes(5)));

    await openPr("prod-bump", "environments/prod.yaml", (t) => t.replace("wordpress:6.5.5-apache", "wordpress:6.7.1-apache"));
    const head = h.github.head("prod-bump");
    expect(checks("kustodian/promotion").at(-1)).toMatchObject({ head_sha: head, conclusion: "failure" });
    expect(checks("kustodian/promotion").at(-1)!.output.summary).toContain(
      "prod ← `wordpress:6.7.1-apache`: staging: rolling out since 2026-03-02T09:55:00.000Z, not Healthy yet",
    );

    // The staging rollout concludes Healthy now: the deployment_status webhook re-evaluates the PR.
    deployment.statuses.push({ id: 2, state: "success", description: "Healthy", createdAt: time.iso() });
    await h.deliver(
      "deployment_status",
      deploymentStatusEvent({
        deploymentId: deployment.id,
        sha: stagingMerge,
        environment: "staging",
        state: "success",
        description: "Healthy",
        statusId: 2,
        creator: botLogin,
      }),
    );
    await h.settle();
    const waiting = checks("kustodian/promotion").at(-1)!;
    expect(waiting).toMatchObject({ head_sha: head, conclusion: "failure" });
    expect(waiting.output.title).toBe("Not yet: staging: Healthy 0 s ago, soak 30 min: 30 min left");
    expect(h.app.gates.pending().get("acme/gitops#7")).toBe(Date.parse(time.iso(minutes(30))));
    // The same event updates the DORA gauges: one Healthy rollout of staging in 30 days (its PR #3 is unknown here: no lead time).
    expect(gauges).toEqual([
      {
        app: "gitops",
        environment: "staging",
        figures: { deploymentsPerDay: 1 / 30, leadTimeSeconds: null, changeFailureRate: 0, timeToRestoreSeconds: null },
      },
    ]);

    // 12 minutes on, nothing has changed by itself; a push-free re-evaluation at the soak's end turns it green.
    time.advance(minutes(12));
    await h.settle();
    expect(checks("kustodian/promotion").at(-1)!.conclusion).toBe("failure");
    time.advance(minutes(18));
    await h.settle();
    const green = checks("kustodian/promotion").at(-1)!;
    expect(green).toMatchObject({ head_sha: head, conclusion: "success", output: { title: "Promoted with evidence" } });
    expect(green.output.summary).toContain("staging: Healthy 30 min ago, soak 30 min: done");
    expect(h.github.head("prod-bump")).toBe(head);
    expect(h.app.gates.pending().size).toBe(0);
  }, 120_000);

  it("an image that failed in staging since it was Healthy stays blocked, and a Deployment someone else made is not evidence", async () => {
    await commitOnMain("environments/prod.yaml", (t) =>
      t.replace("workloads:\n", "promotion:\n  after: staging\n  soak: 30m\nworkloads:\n"),
    );
    const stagingMerge = await commitOnMain("environments/staging.yaml", (t) =>
      t.replace("wordpress:6.6.2-apache", "wordpress:6.7.1-apache"),
    );
    const healthy = recordDeployment(stagingMerge, "staging", time.iso(-minutes(120)));
    healthy.statuses.push({ id: 2, state: "success", description: "Healthy", createdAt: time.iso(-minutes(110)) });
    const failed = recordDeployment(stagingMerge, "staging", time.iso(-minutes(20)));
    failed.statuses.push({ id: 3, state: "failure", description: "CrashLoopBackOff", createdAt: time.iso(-minutes(15)) });
    // A Deployment with kustodian's payload that someone else created, "Healthy" after the failure: not evidence.
    const forged = recordDeployment(stagingMerge, "staging", time.iso(-minutes(10)));
    forged.creator = { type: "User", login: "mallory" };
    forged.statuses.push({ id: 4, state: "success", description: "Healthy", createdAt: time.iso(-minutes(5)) });

    await openPr("prod-bump", "environments/prod.yaml", (t) => t.replace("wordpress:6.5.5-apache", "wordpress:6.7.1-apache"));
    expect(checks("kustodian/promotion").at(-1)).toMatchObject({
      conclusion: "failure",
      output: { title: "Not yet: staging: failed in staging at 2026-03-02T09:45:00.000Z" },
    });
    expect(h.app.gates.pending().size).toBe(0);
  }, 120_000);

  it("a success a person added to the app's own staging Deployment is not evidence (issue 11: only the app's statuses count)", async () => {
    await commitOnMain("environments/prod.yaml", (t) =>
      t.replace("workloads:\n", "promotion:\n  after: staging\n  soak: 30m\nworkloads:\n"),
    );
    const stagingMerge = await commitOnMain("environments/staging.yaml", (t) =>
      t.replace("wordpress:6.6.2-apache", "wordpress:6.7.1-apache"),
    );
    // The app's Deployment, still rolling out; mallory's "Healthy" two hours ago would satisfy the 30 min soak.
    const rolling = recordDeployment(stagingMerge, "staging", time.iso(-minutes(180)));
    rolling.statuses.push({
      id: 5,
      state: "success",
      description: "Healthy",
      createdAt: time.iso(-minutes(120)),
      creator: { type: "User", login: "mallory" },
    });

    await openPr("prod-bump", "environments/prod.yaml", (t) => t.replace("wordpress:6.5.5-apache", "wordpress:6.7.1-apache"));
    const check = checks("kustodian/promotion").at(-1)!;
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).not.toBe("Promoted with evidence");
    expect(check.output.summary).not.toContain("Healthy 2 h");
  }, 120_000);
});

describe("freezes", () => {
  it("a freeze window turns the check red, and green when it ends, without a new push", async () => {
    h.github.config = [
      "freezes:",
      "  - reason: Monday change-advisory board",
      "    environments: [staging]",
      "    timeZone: Europe/Berlin",
      "    weekly: { days: [mon], from: '10:00', to: '12:00' }",
    ].join("\n");
    // 10:00Z on a Monday in March = 11:00 in Berlin: inside the window, which ends at 11:00Z.
    await openPr(
      "staging-bump",
      "environments/staging.yaml",
      (t) => t.replace("wordpress:6.6.2-apache", "wordpress:6.7.1-apache"),
      "Bump staging",
    );
    const head = h.github.head("staging-bump");
    const red = checks("kustodian/freeze").at(-1)!;
    expect(red).toMatchObject({ head_sha: head, conclusion: "failure", output: { title: "Frozen: staging" } });
    expect(red.output.summary).toContain(
      "staging is frozen: Monday change-advisory board — set by .github/kustodian.yml at 2026-03-02T09:00:00.000Z, ends 2026-03-02T11:00:00.000Z",
    );

    time.advance(minutes(60));
    await h.settle();
    expect(checks("kustodian/freeze").at(-1)).toMatchObject({
      head_sha: head,
      conclusion: "success",
      output: { title: "Not frozen: staging" },
    });
    // The next window (next Monday) is already scheduled.
    expect(h.app.gates.pending().get("acme/gitops#7")).toBe(Date.parse("2026-03-09T09:00:00Z"));
  }, 120_000);

  it("/freeze by a maintainer turns open PRs red with who, why and since; /unfreeze turns them green; a writer may not freeze", async () => {
    await openPr(
      "staging-bump",
      "environments/staging.yaml",
      (t) => t.replace("wordpress:6.6.2-apache", "wordpress:6.7.1-apache"),
      "Bump staging",
    );
    expect(checks("kustodian/freeze")).toHaveLength(0); // nothing configured or recorded: no check, no write
    const head = h.github.head("staging-bump");
    h.github.permissions.set("writer", "write");
    h.github.permissions.set("maint", "maintain");

    await h.deliver("issue_comment", issueCommentEvent({ body: "/freeze staging incident 42", user: "writer" }));
    await h.settle();
    expect(h.github.issues).toHaveLength(0);
    expect(h.github.comments.get(7)!.at(-1)!.body).toContain("needs maintain or admin permission");

    await h.deliver("issue_comment", issueCommentEvent({ body: "/freeze staging incident 42: payments down", user: "maint" }));
    await h.settle();
    expect(h.github.issues).toHaveLength(1);
    expect(h.github.issues[0]).toMatchObject({ state: "open", labels: ["kustodian/freeze"], title: "Deployment freeze: staging" });
    const red = checks("kustodian/freeze").at(-1)!;
    expect(red).toMatchObject({ head_sha: head, conclusion: "failure", output: { title: "Frozen: staging" } });
    expect(red.output.summary).toContain(
      "staging is frozen: incident 42: payments down — set by @maint at 2026-03-02T10:00:00.000Z, until `/unfreeze` ([record](https://github.com/acme/gitops/issues/500))",
    );
    expect(h.github.comments.get(7)!.at(-1)!.body).toContain(
      "is frozen: incident 42: payments down. Recorded in https://github.com/acme/gitops/issues/500",
    );

    await h.deliver("issue_comment", issueCommentEvent({ body: "/unfreeze staging", user: "maint" }));
    await h.settle();
    expect(h.github.issues[0]!.state).toBe("closed");
    expect(checks("kustodian/freeze").at(-1)).toMatchObject({ head_sha: head, conclusion: "success" });
  }, 120_000);

  it("a revert is never frozen", async () => {
    h.github.config = "freezes:\n  - reason: year end\n    from: 2026-03-01\n    to: 2026-03-10\n";
    await openPr(
      "kustodian/revert/staging/0123456789ab",
      "environments/staging.yaml",
      (t) => t.replace("wordpress:6.6.2-apache", "wordpress:6.6.1-apache"),
      "Revert Bump wordpress in staging",
    );
    expect(checks("kustodian/freeze").at(-1)).toMatchObject({ conclusion: "success", output: { title: "A revert is never frozen" } });
  }, 120_000);
});

void botLogin;
