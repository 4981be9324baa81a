// `npm run demo [-- --keep]`: the whole loop on one machine, narrated. Three separate processes on
// loopback: the GitHub stand-in (test/github-standin), the cluster simulator in real time with
// Argo CD / Flux sync (test/sim/main.ts), and the real app server (`node src/app/server.ts`,
// as `npm start` runs it) pointed at both through its ordinary settings: GHE_HOST/GHE_PROTOCOL,
// KUBECONFIG, and APP_ID/PRIVATE_KEY/WEBHOOK_SECRET made for this run. Then a person plays the
// story through the stand-in's API, as on GitHub. Every child runs in its own process group,
// which is killed on exit and on failure (unless --keep).
import { execFileSync } from "node:child_process";
import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AppsV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { Octokit } from "@octokit/rest";
import { appCredentials, appEnvironment, childProcesses, freePort, readyLine, tail } from "./child-processes.ts";
import { SERVER_ARGS } from "./node-runtime.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const keep = process.argv.includes("--keep");
const work = process.env.KUSTODIAN_DEMO_DIR ?? mkdtempSync(join(tmpdir(), "kustodian-demo-"));
const started = performance.now();
const user = "octo-dev";
const owner = "acme";
const repo = "gitops";

// ---- narration -----------------------------------------------------------------------------
const stamp = () => `[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s]`;
const say = (text: string) => process.stdout.write(`${stamp()} ${text}\n`);
const show = (text: string, indent = "          │ ") =>
  process.stdout.write(
    `${text
      .trimEnd()
      .split("\n")
      .map((l) => indent + l)
      .join("\n")}\n`,
  );
const section = (title: string) => process.stdout.write(`\n${stamp()} ── ${title} ──\n`);

// ---- processes -------------------------------------------------------------------------------
const processes = childProcesses({ root, work, pollMs: 150 });
const { children, start, until } = processes;

let finished = false;
process.on("exit", () => {
  if (!keep || !finished) processes.stopAllNow();
});
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    void processes.stopAllAndWait().then(() => process.exit(130));
  });

// ---- the story -------------------------------------------------------------------------------
interface Timings {
  stagingHealthySeconds?: number;
  stagingFloorSeconds?: number;
  prodVerdictAfterStartSeconds?: number;
  prodWindowSeconds?: number;
  prodRevertSeconds?: number;
}

async function main(): Promise<void> {
  section("starting: GitHub stand-in, cluster simulator, kustodian (separate processes)");
  const { webhookSecret: secret, privateKey } = appCredentials();
  const appPort = await freePort();
  const webhookUrl = `http://127.0.0.1:${appPort}/api/github/webhooks`;

  const standinProc = start("github-standin", ["test/github-standin/main.ts", "--webhook-url", webhookUrl, "--user", `${user}=write`], {
    WEBHOOK_SECRET: secret,
  });
  const standin = await until(
    "the GitHub stand-in",
    () => readyLine<{ url: string; host: string; gitDir: string }>(standinProc.log),
    30_000,
  );
  say(`GitHub stand-in on ${standin.url} (pid ${standinProc.child.pid}), repository ${owner}/${repo} = git ${standin.gitDir}`);

  const kubeconfig = join(work, "kubeconfig");
  const requestLog = join(work, "cluster-requests.jsonl");
  const simProc = start(
    "simulator",
    ["test/sim/main.ts", "--repo", standin.gitDir, "--kubeconfig", kubeconfig, "--request-log", requestLog],
    {},
  );
  // The app reads its kubeconfig at start: the simulator writes it at once, then rolls out.
  await until("the simulator's kubeconfig", () => existsSync(kubeconfig), 30_000);
  const appProc = start(
    "kustodian",
    [...SERVER_ARGS],
    appEnvironment({
      privateKey,
      webhookSecret: secret,
      port: appPort,
      githubHost: standin.host,
      kubeconfig,
      logLevel: process.env["LOG_LEVEL"],
    }),
  );
  const sim = await until(
    "the simulator (Argo CD and Flux sync every environment; the workloads roll out)",
    () => readyLine<{ url: string; environments: { name: string; namespace: string; context: string; tool: string }[] }>(simProc.log),
    90_000,
  );
  say(`cluster simulator on ${sim.url} (pid ${simProc.child.pid}); kubeconfig ${kubeconfig}`);
  for (const e of sim.environments)
    say(
      `  ${e.name}: ${e.tool === "argocd" ? "Argo CD Application" : "Flux Kustomization"} → namespace ${e.namespace}, context ${e.context}: rolled out`,
    );
  const appUrl = `http://127.0.0.1:${appPort}`;
  await until("kustodian's /readyz", async () => (await fetch(`${appUrl}/readyz`)).status === 200, 60_000);
  say(`kustodian (npm start) on ${appUrl} (pid ${appProc.child.pid}): /readyz 200, watching through the kubeconfig's contexts`);

  const gh = new Octokit({ baseUrl: `${standin.url}/api/v3`, auth: `ghp_standin_${user}` });
  // The narrator reads the cluster with its own token, so the simulator's request log tells its
  // reads from kustodian's (the demo's test checks kustodian's against deploy/'s RBAC).
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  for (const u of kc.users) (u as { token?: string }).token = "demo-narrator";
  const git = (...args: string[]) => execFileSync("git", ["-C", standin.gitDir, ...args], { encoding: "utf8" }).trim();
  const head = async (branch: string) => (await gh.git.getRef({ owner, repo, ref: `heads/${branch}` })).data.object.sha;
  const comments = async (n: number) => (await gh.issues.listComments({ owner, repo, issue_number: n })).data;
  const checkRun = async (sha: string) => (await gh.checks.listForRef({ owner, repo, ref: sha })).data.check_runs[0];
  const t: Timings = {};

  async function openPullRequest(branch: string, file: string, edit: (text: string) => string, title: string): Promise<number> {
    await gh.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: await head("main") });
    const text = edit(git("show", `main:${file}`));
    await gh.repos.createOrUpdateFileContents({
      owner,
      repo,
      path: file,
      branch,
      message: title,
      content: Buffer.from(text).toString("base64"),
    });
    const pr = await gh.pulls.create({ owner, repo, title, head: branch, base: "main" });
    say(`@${user} opens PR #${pr.data.number} "${title}" (changes ${file} only)`);
    return pr.data.number;
  }

  /** kustodian's answer to a push: the regeneration commit (if any), the plan comment and the check on the new head. */
  async function planned(n: number, branch: string, before: string, expectCommit: boolean) {
    let sha = before;
    if (expectCommit) {
      sha = await until(`kustodian's commit on ${branch}`, async () => {
        const h = await head(branch);
        return h !== before && git("log", "-1", "--format=%an", h) === "kustodian[bot]" ? h : undefined;
      });
      say(`kustodian commits to ${branch}: ${git("log", "-1", "--format=%h %s", sha)}`);
      show(git("show", "--stat", "--format=", sha));
    }
    const run = await until(`the check run on ${sha.slice(0, 7)}`, () => checkRun(sha));
    // The check run comes last in kustodian's answer: the plan comment is up to date by then.
    const plan = await until(`the plan comment on #${n}`, async () =>
      (await comments(n)).find((c) => c.body?.includes("<!-- kustodian:plan -->")),
    );
    return { sha, run, plan: plan?.body ?? "" };
  }

  const printPlan = (body: string) => {
    // The plan as people read it on the PR, without the collapsed manifest diff.
    const visible = body.replace(/<details>[\s\S]*?<\/details>/g, "(rendered manifest diff collapsed)").replace(/<!--[^>]*-->/g, "");
    show(visible.trim());
  };

  // 1. a PR bumps an image in staging
  section("1. a pull request bumps the WordPress image in staging");
  const stagingImageFrom = /image: wordpress:[^\s]+/.exec(git("show", "main:environments/staging.yaml"))![0];
  const pr1 = await openPullRequest(
    "bump-staging",
    "environments/staging.yaml",
    (text) => text.replace(stagingImageFrom, "image: wordpress:6.7.1-apache"),
    "Bump wordpress in staging to 6.7.1",
  );
  const p1 = await planned(pr1, "bump-staging", await head("bump-staging"), true);
  say(`kustodian's plan comment on #${pr1}:`);
  printPlan(p1.plan);
  say(`check run ${p1.run!.name}: ${p1.run!.conclusion} (${p1.run!.output.title})`);

  // 2. /scale 4
  section("2. /scale 4 in a comment");
  const beforeScale = await head("bump-staging");
  const commentsBefore = (await comments(pr1)).length;
  await gh.issues.createComment({ owner, repo, issue_number: pr1, body: "/scale 4 wordpress staging" });
  say(`@${user} comments "/scale 4 wordpress staging"`);
  const scaled = await until("kustodian's /scale commit", async () => {
    const h = await head("bump-staging");
    return h !== beforeScale ? h : undefined;
  });
  say(`kustodian commits: ${git("log", "-1", "--format=%h %s", scaled)}`);
  show(git("show", "--format=", scaled, "--", "environments/staging.yaml"));
  const reply = await until("kustodian's reply", async () =>
    (await comments(pr1)).slice(commentsBefore).find((c) => c.user?.type === "Bot" && !c.body?.includes("<!-- kustodian:plan")),
  );
  say("kustodian replies:");
  show(reply.body ?? "");
  const p1b = await planned(pr1, "bump-staging", scaled, false);
  t.stagingFloorSeconds = Number(/estimated rollout ≥ (\d+) s/.exec(p1b.plan)?.[1] ?? NaN);
  say(`the plan comment is edited in place; check run on ${scaled.slice(0, 7)}: ${p1b.run!.conclusion}`);

  // 3. merge → Argo CD syncs → Healthy
  section("3. merge: Argo CD syncs staging, the rollout is watched");
  const merge1 = (await gh.pulls.merge({ owner, repo, pull_number: pr1 })).data.sha;
  const merged1At = performance.now();
  say(`@${user} merges #${pr1}: ${merge1.slice(0, 7)} on main; kustodian records a GitHub Deployment for staging`);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const apps = kc.makeApiClient(AppsV1Api);
  const application = (name: string) =>
    custom.getNamespacedCustomObject({
      group: "argoproj.io",
      version: "v1alpha1",
      namespace: "argocd",
      plural: "applications",
      name,
    }) as Promise<{
      status?: { sync?: { status?: string; revision?: string }; health?: { status?: string } };
    }>;
  await until("Argo CD to sync the merge", async () => (await application("wordpress-staging")).status?.sync?.revision === merge1);
  say(`Argo CD Application wordpress-staging: Synced to ${merge1.slice(0, 7)}; pods rolling`);
  const deploymentOf = async (env: string, sha: string) =>
    (await gh.repos.listDeployments({ owner, repo, environment: env })).data.find((d) => d.sha === sha);
  const statesOf = async (id: number) => (await gh.repos.listDeploymentStatuses({ owner, repo, deployment_id: id })).data.reverse();
  const d1 = await until("the staging Deployment", () => deploymentOf("staging", merge1));
  const s1 = await until(
    "the staging verdict",
    async () => (await statesOf(d1.id)).find((s) => s.state === "success" || s.state === "failure"),
    120_000,
  );
  t.stagingHealthySeconds = (performance.now() - merged1At) / 1000;
  const wp = await apps.readNamespacedDeployment({ name: "wordpress", namespace: "wordpress-staging" });
  say(
    `rollout ${s1.state === "success" ? "Healthy" : s1.state}: ${s1.description} — Deployment wordpress ${wp.status?.updatedReplicas}/${wp.spec?.replicas} updated, image ${wp.spec?.template.spec?.containers[0]?.image}`,
  );
  if (s1.state !== "success") throw new Error(`staging rollout: ${s1.state} ${s1.description}`);

  // 4. a bad image in prod
  section("4. a pull request with a bad image in prod");
  const badImage = "wordpress:6.7.1-bad";
  const prodImageFrom = /image: wordpress:[^\s]+/.exec(git("show", "main:environments/prod.yaml"))![0];
  const pr2 = await openPullRequest(
    "bad-prod",
    "environments/prod.yaml",
    (text) => text.replace(prodImageFrom, `image: ${badImage}`),
    "Bump wordpress in prod to 6.7.1-bad",
  );
  const p2 = await planned(pr2, "bad-prod", await head("bad-prod"), true);
  t.prodWindowSeconds = Number(/not Ready (\d+) s after its container starts/.exec(p2.plan)?.[1] ?? NaN);
  say(`plan: ${/estimated rollout[^.;]*/.exec(p2.plan)?.[0] ?? "?"}; failure window ${t.prodWindowSeconds} s after a container starts`);
  say(`check run: ${p2.run!.conclusion} (${p2.run!.output.title})`);
  const mainBefore = await head("main");
  const merge2 = (await gh.pulls.merge({ owner, repo, pull_number: pr2 })).data.sha;
  const merged2At = performance.now();
  say(`@${user} merges #${pr2}: ${merge2.slice(0, 7)}; the simulator's pods with ${badImage} run but never pass readiness`);
  await until("Argo CD to sync prod", async () => (await application("wordpress-prod")).status?.sync?.revision === merge2);
  say("Argo CD Application wordpress-prod: Synced; new pods Running, not Ready");
  const revert = await until(
    "kustodian's revert commit",
    () => {
      const line = git("log", "--format=%H%x00%an%x00%B%x01", `${mainBefore}..main`)
        .split("\x01")
        .map((r) => r.trim())
        .find((r) => r.includes("Kustodian-Revert: prod"));
      return line?.split("\0")[0];
    },
    120_000,
  );
  t.prodRevertSeconds = (performance.now() - merged2At) / 1000;
  say(`readiness failed → kustodian reverts in git (${t.prodRevertSeconds.toFixed(1)} s after the merge):`);
  show(git("show", "--stat", revert));
  const evidence = await until("the evidence comment", async () =>
    (await comments(pr2)).find((c) => c.body?.includes("<!-- kustodian:rollout:prod -->")),
  );
  say(`kustodian's comment on #${pr2}:`);
  show(evidence.body?.replace(/<!--[^>]*-->/g, "").trim() ?? "");
  const d2 = await until("the prod Deployment", () => deploymentOf("prod", merge2));
  await until("the prod Deployment to be marked", async () => (await statesOf(d2.id)).some((s) => s.state === "failure"));
  say(`GitHub Deployment ${d2.id} (prod, ${merge2.slice(0, 7)}) statuses:`);
  for (const s of await statesOf(d2.id)) show(`${s.state.padEnd(12)} ${s.description ?? ""}`);
  const held = /held:[\s\S]*?(?=\n\S|$)/.exec(git("show", "main:environments/prod.yaml"))?.[0];
  say("environments/prod.yaml on main now holds the image:");
  show(held ?? "(no held list!)");
  await until(
    "Argo CD to sync the revert",
    async () => (await application("wordpress-prod")).status?.sync?.revision === git("rev-parse", "main"),
  );
  const prodImage = (await apps.readNamespacedDeployment({ name: "wordpress", namespace: "wordpress-prod" })).spec?.template.spec
    ?.containers[0]?.image;
  say(`Argo CD syncs the revert: wordpress-prod runs ${prodImage} again`);

  // 5. re-proposing the held image is blocked
  section("5. a pull request that re-proposes the held image");
  const pr3 = await openPullRequest(
    "retry-prod",
    "environments/prod.yaml",
    (text) => text.replace(/(workloads:\n {2}wordpress:\n {4}image: )[^\s]+/, `$1${badImage}`),
    "Try 6.7.1-bad in prod again",
  );
  const p3 = await planned(pr3, "retry-prod", await head("retry-prod"), true);
  say(`check run: ${p3.run!.conclusion} (${p3.run!.output.title})`);
  const blocking = p3.plan.split("\n").find((l) => l.includes("held-image"));
  show(blocking ?? "(no held-image finding)");
  if (p3.run!.conclusion !== "failure") throw new Error("the re-proposed held image was not blocked");

  // summary
  const metrics = await (await fetch(`${appUrl}/metrics`)).text();
  const value = (name: string) =>
    Number(
      metrics
        .split("\n")
        .find((l) => l.startsWith(name))
        ?.split(" ")
        .pop() ?? NaN,
    );
  t.prodVerdictAfterStartSeconds = value('kustodian_verdict_after_container_start_seconds_sum{reason="ReadinessTimeout"}');
  section("summary");
  const ratio = (a?: number, b?: number) =>
    a !== undefined && b && Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : "?";
  show(
    [
      `staging merge → Healthy           ${t.stagingHealthySeconds?.toFixed(1)} s = ${ratio(t.stagingHealthySeconds, t.stagingFloorSeconds)} the plan's probe-timing estimate (≥ ${t.stagingFloorSeconds} s)`,
      `prod container start → Failed      ${t.prodVerdictAfterStartSeconds.toFixed(1)} s = ${ratio(t.prodVerdictAfterStartSeconds, t.prodWindowSeconds)} the readiness failure window (${t.prodWindowSeconds} s incl. slack)`,
      `prod merge → revert commit         ${t.prodRevertSeconds?.toFixed(1)} s = ${ratio(t.prodRevertSeconds, t.prodWindowSeconds)} the failure window (Argo CD didn't wait for its 10 min progress deadline)`,
      `webhooks delivered                 ${metrics.split("\n").filter((l) => l.startsWith("kustodian_webhook_deliveries_total")).length} series; GitHub requests ${sumOf(metrics, "kustodian_github_requests_total")}; kustomize builds ${sumOf(metrics, "kustodian_renders_total")}`,
      `total                              ${((performance.now() - started) / 1000).toFixed(1)} s`,
    ].join("\n"),
  );

  if (keep) {
    finished = true;
    section("left running (--keep)");
    show(
      [
        `kubectl --kubeconfig ${kubeconfig} get pods -A -w`,
        `kubectl --kubeconfig ${kubeconfig} --context prod get deploy,rs,pods -n wordpress-prod`,
        `git clone ${standin.gitDir} gitops && git -C gitops log --oneline --graph`,
        `curl -s ${standin.url}/api/v3/repos/${owner}/${repo}/issues/${pr2}/comments`,
        `curl -s ${appUrl}/metrics | grep ^kustodian_`,
        `logs: ${work}/*.log`,
        `stop: kill -- ${children.map((c) => `-${c.child.pid}`).join(" ")}`,
      ].join("\n"),
      "          $ ",
    );
    for (const { child } of children) child.unref();
  }
}

function sumOf(metrics: string, name: string): number {
  return metrics
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`))
    .reduce((n, l) => n + Number(l.split(" ").pop()), 0);
}

main().then(
  async () => {
    if (!keep) await processes.stopAllAndWait();
    process.stdout.write(`${stamp()} done: ${keep ? "left running" : "every process stopped"}; logs in ${work}\n`);
    process.exit(0);
  },
  async (error: unknown) => {
    process.stderr.write(`\n${stamp()} demo failed: ${(error as Error).message}\n`);
    for (const { name, log } of children) process.stderr.write(`--- ${name} (${log}), last lines:\n${tail(log, 15)}\n`);
    await processes.stopAllAndWait();
    process.exit(1);
  },
);
