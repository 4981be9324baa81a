// Bad merge -> revert commit, in real time (issue 13). Prints ratios, asserts nothing.
//
// As `npm run demo` runs it: the real app process (`node src/app/server.ts`, its real Octokit
// with Probot's throttle and retry plugins), the cluster simulator in real time as its own process
// (test/sim/main.ts, Argo CD syncing prod), and the GitHub stand-in (test/github-standin) on
// loopback, every API call answered LATENCY_MS (default 50) later. The stand-in runs in this
// process so that the moment the revert commit lands (the branch moves) is stamped where it
// happens. A person opens a pull request that puts a failing image into prod, waits for
// kustodian's plan, merges; the bench watches the prod pods itself (its own watch, real time).
//
//   readiness failure (tag -bad: Running, never Ready): (container start -> revert commit) /
//     the probe floor, readinessFailureWindowSeconds of the rendered readiness probe
//     (src/health/probe-window.ts: the earliest the probes can prove failure). Goal <= 1.15.
//     Container start is the status's startedAt, as the watcher and bench/verdict-latency.ts take
//     it (whole seconds, as in Kubernetes: the container started up to 1 s later, so the ratio
//     errs high by up to 1/floor).
//   ImagePullBackOff (tag -pullfail) and CrashLoopBackOff (tag -crashloop): seconds from the
//     failure first reaching this bench's watch (ErrImagePull, the first of the pull failure's
//     waiting reasons; the container's first exit with code 1, which proves the crash loop before
//     the kubelet's CrashLoopBackOff after the second) to the revert commit. Goal <= 2 s.
//
// Each run waits for the revert's own rollout to be verified Healthy before the next merge.
// The app's log says when it reached the verdict, so each line splits the time into
// watch (-> verdict) and GitHub (verdict -> revert commit).
//
// Run: npx node bench/revert-latency.ts     RUNS=5 LATENCY_MS=50 KINDS=bad,pullfail,crashloop
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { AppsV1Api, KubeConfig, Watch } from "@kubernetes/client-node";
import { Octokit } from "@octokit/rest";
import { readinessFailureWindowSeconds } from "../src/health/probe-window.ts";
import type { Probe } from "../src/k8s/manifest-types.ts";
import { startStandin } from "../test/github-standin/server.ts";
import { appCredentials, appEnvironment, childProcesses, freePort, readyLine, tail } from "../scripts/child-processes.ts";
import { SERVER_ARGS } from "../scripts/node-runtime.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Number(process.env["RUNS"] ?? 3);
const LATENCY_MS = Number(process.env["LATENCY_MS"] ?? 50);
const KINDS = (process.env["KINDS"] ?? "bad,pullfail,crashloop").split(",") as Kind[];
type Kind = "bad" | "pullfail" | "crashloop";
const work = mkdtempSync(join(tmpdir(), "kustodian-revert-bench-"));
const user = "octo-dev";
const namespace = "wordpress-prod";

// ---- processes (each in its own process group, killed on exit) ------------------------------
const processes = childProcesses({ root, work });
const { children, start } = processes;
const until = <T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 90_000) =>
  processes.until(what, probe, timeoutMs);
const stopAll = () => processes.stopAllAndWait();
process.on("exit", () => processes.stopAllNow());

// ---- what the bench sees in the cluster: its own watch of the prod pods -----------------------
interface PodSeen {
  image: string;
  /** Real time the container's running state first reached the watch, and the startedAt it named. */
  running?: { at: number; startedAt: number };
  /** Waiting reason -> real time it first reached the watch. */
  waiting: Map<string, number>;
}
const pods = new Map<string, PodSeen>();
interface WatchedPod {
  metadata?: { name?: string };
  spec?: { containers?: { name: string; image: string }[] };
  status?: {
    containerStatuses?: {
      name: string;
      image?: string;
      state?: { running?: { startedAt?: string }; waiting?: { reason?: string }; terminated?: { exitCode?: number } };
    }[];
  };
}
function notePod(pod: WatchedPod): void {
  const at = Date.now();
  const name = pod.metadata?.name ?? "";
  const container = pod.spec?.containers?.find((c) => c.name === "wordpress") ?? pod.spec?.containers?.[0];
  if (!container) return;
  const seen: PodSeen = pods.get(name) ?? { image: container.image, waiting: new Map() };
  pods.set(name, seen);
  const status = pod.status?.containerStatuses?.find((s) => s.name === container.name);
  const running = status?.state?.running;
  if (running && !seen.running) seen.running = { at, startedAt: Date.parse(running.startedAt ?? "") };
  const reason = status?.state?.waiting?.reason ?? (status?.state?.terminated?.exitCode ? "Crashed" : undefined);
  if (reason && !seen.waiting.has(reason)) seen.waiting.set(reason, at);
}
async function watchPods(kc: KubeConfig): Promise<void> {
  const watch = new Watch(kc);
  const again = () => void watchPods(kc).catch(() => setTimeout(again, 500));
  await watch.watch(
    `/api/v1/namespaces/${namespace}/pods`,
    {},
    (_type, object) => notePod(object as WatchedPod),
    () => setTimeout(again, 200),
  );
}

// ---- the app's log: when it reached each verdict ----------------------------------------------
function failedVerdictTimes(log: string): { time: number; verdict: string; deployment: number }[] {
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l.includes('"rollout verdict"'))
    .map((l) => JSON.parse(l) as { time: number; verdict: string; deployment: number })
    .filter((l) => l.verdict !== "Healthy");
}

// ---- statistics -------------------------------------------------------------------------------
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const spread = (xs: number[], digits: number) =>
  xs.length === 0 ? "-" : `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

async function main(): Promise<void> {
  const { webhookSecret: secret, privateKey } = appCredentials();
  const appPort = await freePort();
  const standin = await startStandin({
    webhookSecret: secret,
    webhookUrl: `http://127.0.0.1:${appPort}/api/github/webhooks`,
    permissions: { [user]: "write" },
    latencyMs: LATENCY_MS,
  });
  const { owner, repo } = standin;
  // The moment each commit lands on main (the stand-in moves the branch, then sends the push).
  const landed = new Map<string, { at: number; message: string }>();
  const forward = standin.github.events;
  standin.github.events = (event, payload) => {
    const p = payload as { ref?: string; after?: string; head_commit?: { message?: string } };
    if (event === "push" && p.ref === "refs/heads/main" && p.after)
      landed.set(p.after, { at: Date.now(), message: p.head_commit?.message ?? "" });
    forward?.(event, payload);
  };

  const kubeconfig = join(work, "kubeconfig");
  const sim = start("simulator", ["test/sim/main.ts", "--repo", standin.gitDir, "--kubeconfig", kubeconfig], {});
  await until("the simulator's kubeconfig", () => existsSync(kubeconfig), 30_000);
  const app = start("kustodian", [...SERVER_ARGS], {
    ...appEnvironment({
      privateKey,
      webhookSecret: secret,
      port: appPort,
      githubHost: standin.host,
      kubeconfig,
      logLevel: process.env["LOG_LEVEL"],
    }),
    LOG_FORMAT: "json",
  });
  await until("the simulator to roll out every environment", () => readyLine(sim.log), 120_000);
  await until("kustodian's /readyz", async () => (await fetch(`http://127.0.0.1:${appPort}/readyz`)).status === 200, 60_000);

  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  kc.setCurrentContext("prod");
  for (const u of kc.users) (u as { token?: string }).token = "revert-bench";
  void watchPods(kc);
  const deployment = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: "wordpress", namespace });
  const probe = deployment.spec?.template.spec?.containers.find((c) => c.name === "wordpress")?.readinessProbe as Probe | undefined;
  if (!probe) throw new Error("prod's wordpress has no readiness probe");
  const floorSeconds = readinessFailureWindowSeconds(probe);

  const gh = new Octokit({ baseUrl: `${standin.url}/api/v3`, auth: `ghp_standin_${user}` });
  const git = (...args: string[]) => execFileSync("git", ["-C", standin.gitDir, ...args], { encoding: "utf8" }).trim();
  const head = async (branch: string) => (await gh.git.getRef({ owner, repo, ref: `heads/${branch}` })).data.object.sha;

  console.log(
    `GitHub stand-in with ${LATENCY_MS} ms per call; prod's readiness probe floor ${floorSeconds} s ` +
      `(initialDelay ${probe.initialDelaySeconds ?? 0}, period ${probe.periodSeconds ?? 10}, timeout ${probe.timeoutSeconds ?? 1}, failureThreshold ${probe.failureThreshold ?? 3}); ` +
      `${RUNS} run(s) of ${KINDS.join(", ")}; load ${load()}`,
  );

  const results = new Map<Kind, { value: number; toVerdict: number; toRevert: number }[]>();
  let serial = 0;
  for (let run = 1; run <= RUNS; run++) {
    for (const kind of KINDS) {
      serial++;
      const tag = `6.7.${serial}-apache-${kind}`;
      const image = `wordpress:${tag}`;
      const branch = `bench-${serial}-${kind}`;
      const main = await head("main");
      await gh.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: main });
      const text = git("show", "main:environments/prod.yaml").replace(/(workloads:\n {2}wordpress:\n {4}image: )\S+/, `$1${image}`);
      await gh.repos.createOrUpdateFileContents({
        owner,
        repo,
        path: "environments/prod.yaml",
        branch,
        message: `prod: ${image}`,
        content: Buffer.from(text).toString("base64"),
      });
      const before = await head(branch);
      const pr = (await gh.pulls.create({ owner, repo, title: `prod: ${image}`, head: branch, base: "main" })).data.number;
      // kustodian's answer: its regeneration commit, then the check run on it (the last thing it writes).
      const regenerated = await until(`kustodian's commit on ${branch}`, async () => {
        const h = await head(branch);
        return h !== before ? h : undefined;
      });
      await until(
        `the check run on ${regenerated.slice(0, 7)}`,
        async () => (await gh.checks.listForRef({ owner, repo, ref: regenerated })).data.check_runs.length > 0,
      );
      const merge = (await gh.pulls.merge({ owner, repo, pull_number: pr })).data.sha;
      const revert = await until(
        `kustodian's revert of ${merge.slice(0, 7)}`,
        () => [...landed].find(([, c]) => c.message.includes(`Reverts: ${merge}`) && c.message.includes("Kustodian-Revert: prod")),
        120_000,
      );
      const [revertSha, { at: revertAt }] = revert;
      const mine = [...pods.values()].filter((p) => p.image === image);
      const verdict = failedVerdictTimes(app.log).at(-1)?.time ?? NaN;
      let from: number;
      let value: number;
      let line: string;
      if (kind === "bad") {
        // Container start as the watcher and bench/verdict-latency.ts take it: the status's startedAt.
        from = Math.min(...mine.flatMap((p) => (p.running ? [p.running.startedAt] : [])));
        const seenAt = Math.min(...mine.flatMap((p) => (p.running ? [p.running.at] : [])));
        value = (revertAt - from) / (floorSeconds * 1000);
        line =
          `container start -> revert commit ${((revertAt - from) / 1000).toFixed(2)} s = ${value.toFixed(3)} x the floor ` +
          `(the running state reached this bench ${((seenAt - from) / 1000).toFixed(2)} s after the startedAt it names)`;
      } else {
        // Pull failure: ErrImagePull comes first, then ImagePullBackOff. Crash loop: the first exit
        // (code 1) is what proves it; CrashLoopBackOff follows the second.
        const reasons = kind === "pullfail" ? ["ErrImagePull", "ImagePullBackOff"] : ["Crashed", "CrashLoopBackOff"];
        // The verdict cannot come before the reason appeared: when this bench's watch lagged behind
        // kustodian's (a loaded machine), the verdict is the later bound of when it appeared.
        from = Math.min(verdict, ...mine.flatMap((p) => reasons.flatMap((r) => (p.waiting.has(r) ? [p.waiting.get(r)!] : []))));
        value = (revertAt - from) / 1000;
        line = `${kind === "pullfail" ? "ErrImagePull" : "first crash (exit 1)"} -> revert commit ${value.toFixed(2)} s`;
      }
      const toVerdict = (verdict - from) / 1000;
      const toRevert = (revertAt - verdict) / 1000;
      results.set(kind, [...(results.get(kind) ?? []), { value, toVerdict, toRevert }]);
      console.log(
        `run ${run} ${kind.padEnd(9)} ${line}; of it -> verdict ${toVerdict.toFixed(2)} s, verdict -> revert commit ${toRevert.toFixed(2)} s; load ${load()}`,
      );
      // The revert's own rollout, verified Healthy, before the next merge.
      await until(
        `the revert ${revertSha.slice(0, 7)} verified Healthy`,
        async () => {
          const d = (await gh.repos.listDeployments({ owner, repo, environment: "prod", sha: revertSha })).data[0];
          if (!d) return undefined;
          return (await gh.repos.listDeploymentStatuses({ owner, repo, deployment_id: d.id })).data.some((s) => s.state === "success");
        },
        180_000,
      );
    }
  }

  console.log(`\nsummary (${RUNS} run(s), ${LATENCY_MS} ms per GitHub call, load ${load()}):`);
  for (const kind of KINDS) {
    const r = results.get(kind) ?? [];
    const values = r.map((x) => x.value);
    const verdictToRevert = r.map((x) => x.toRevert);
    const what =
      kind === "bad"
        ? `readiness failure: (container start -> revert commit) / probe floor  median ${median(values).toFixed(3)} (${spread(values, 3)}), goal <= 1.15`
        : `${kind === "pullfail" ? "ImagePullBackOff" : "CrashLoopBackOff"}: waiting reason -> revert commit  median ${median(values).toFixed(2)} s (${spread(values, 2)}), goal <= 2 s`;
    console.log(`  ${what}; verdict -> revert commit median ${median(verdictToRevert).toFixed(2)} s (${spread(verdictToRevert, 2)})`);
  }
  await stopAll();
  await standin.stop();
}

try {
  await main();
} catch (error) {
  console.error(`revert-latency failed: ${(error as Error).message}`);
  for (const { name, log } of children) console.error(`--- ${name} (${log}), last lines:\n${tail(log, 15)}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
process.exit();
