// `npm start`: the kustodian GitHub App as a Probot server. Configuration comes from the
// environment (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, LOG_LEVEL,
// GHE_HOST/GHE_PROTOCOL for another GitHub), as Probot reads it; see the README. Besides the
// webhooks it serves /healthz, /readyz and /metrics on the same port. Webhooks reach Probot's
// middleware through our own HTTP server, which refuses bodies over GitHub's 25 MB cap before
// reading them (webhook-server.ts); an app not registered yet gets Probot's setup flow (`run`),
// which registers it from app.yml.
import { existsSync } from "node:fs";
import { createNodeMiddleware, createProbot, ProbotOctokit, run, type ApplicationFunctionOptions, type Probot } from "probot";
import { renderSettings } from "../render/render-settings.ts";
import { onKustomizeBuild } from "../render/kustomize-build.ts";
import { createMetrics } from "../metrics/metrics.ts";
import { loadKubeConfig } from "../cluster/load-kubeconfig.ts";
import { missingContextProblems } from "../cluster/connections.ts";
import { runtimeSettings } from "../config/runtime-settings.ts";
import { createRolloutService } from "../rollout/service.ts";
import { createKustodianApp } from "./index.ts";
import { octokitMetrics } from "./octokit-metrics.ts";
import { requestBodiesOutOfLogs } from "../github/request-log.ts";
import { pacedWrites, withPacedWrites } from "../github/write-pacing.ts";
import { opsHandler } from "./ops-endpoints.ts";
import { createWebhookServer } from "./webhook-server.ts";

// Importing this module starts nothing: the image build imports it to fill Node's compile cache
// (deploy/Dockerfile), so the server never loads the TypeScript stripper at start.
export async function startServer(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  // Fail at start, naming the variable, rather than at the first render.
  renderSettings();

  const metrics = createMetrics();
  onKustomizeBuild((outcome, seconds) => metrics.render(outcome, seconds));

  // After the merge (Deployments, rollout watch, revert): on unless KUSTODIAN_WATCH=off, e.g. for
  // a deployment without cluster access. The kubeconfig is the default one (or the in-cluster
  // service account); only the holder of the Lease watches.
  let log: Probot["log"] | undefined;
  const forward = {
    debug: (meta: object, message: string) => log?.debug(meta, message),
    info: (meta: object, message: string) => log?.info(meta, message),
    warn: (meta: object, message: string) => log?.warn(meta, message),
    error: (meta: object, message: string) => log?.error(meta, message),
  };
  // Settings and the kubeconfig are checked before anything listens: a problem stops the server
  // with one line naming what is missing (README, The GitHub App).
  function startupError(problems: readonly string[]): never {
    for (const problem of problems) process.stderr.write(`kustodian: ${problem}\n`);
    process.stderr.write("kustodian: set KUSTODIAN_WATCH=off to run without the after-merge watch\n");
    process.exit(2);
  }
  const watchOn = process.env.KUSTODIAN_WATCH !== "off";
  const settings = runtimeSettings(process.env);
  if (watchOn && !settings.ok) startupError(settings.problems);
  const kube = watchOn ? loadKubeConfig() : undefined;
  if (kube && !kube.ok) startupError([kube.problem]);
  // KUSTODIAN_CONTEXTS: every context listed must be in the kubeconfig (contexts a repository's
  // environment names are checked when its push arrives: the Deployment says which file and line).
  if (kube?.ok && settings.ok) {
    const missing = missingContextProblems(settings.settings.contexts, {
      contexts: kube.kubeConfig.getContexts().map((c) => c.name),
      source: kube.source,
      inCluster: kube.kubeConfig.getCurrentContext() === "inClusterContext",
    });
    if (missing.length) startupError(missing);
  }
  const rollout =
    kube?.ok && settings.ok
      ? createRolloutService({ log: forward, kubeConfig: kube.kubeConfig, settings: settings.settings, orchestrator: { metrics } })
      : undefined;

  const app = createKustodianApp({ ...(rollout ? { rollout: rollout.orchestrator } : {}), metrics, dora: metrics });
  metrics.observe({
    jobsQueued: () => app.queue.size,
    ...(rollout ? { rolloutsWatched: () => rollout.watching(), leading: () => rollout.leading() } : {}),
  });
  let loaded = false;
  const appFn = (probot: Probot, { addHandler }: ApplicationFunctionOptions) => {
    log = probot.log;
    app.appFn(probot);
    addHandler(opsHandler({ metrics, webhooksReady: () => loaded, ...(rollout ? { cluster: () => rollout.reachable() } : {}) }));
    rollout?.start(probot);
    loaded = true;
  };
  // Every GitHub request is counted by route and status (the plugin keeps Probot's defaults).
  // Request bodies stay out of Probot's request log lines (src/github/request-log.ts). Writes are
  // paced by a token bucket instead of the throttle's 1 s queue (src/github/write-pacing.ts).
  const Octokit = withPacedWrites(
    ProbotOctokit.plugin(octokitMetrics(metrics) as never, requestBodiesOutOfLogs as never),
    pacedWrites({ now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) }),
  );
  const registered = Boolean(process.env.APP_ID) && Boolean(process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH);
  const server = registered ? await listen() : await run(appFn, { Octokit });

  async function listen(): Promise<{ stop(): Promise<void> }> {
    const probot = createProbot({ overrides: { Octokit } });
    const http = createWebhookServer(await createNodeMiddleware(appFn, { probot }));
    const port = Number(process.env.PORT ?? 3000);
    await new Promise<void>((resolve) => http.listen(port, process.env.HOST, resolve));
    probot.log.info(`kustodian listening on port ${port}`);
    return { stop: () => new Promise<void>((resolve, reject) => http.close((error) => (error ? reject(error) : resolve()))) };
  }

  // Stopping: watches end and the Lease is released at once (another replica takes over at its
  // next retry); accepted webhook work is finished; whatever is still running after 10 s is left
  // (GitHub redelivers, the next leader finishes a claimed verdict from git) and the process exits.
  const shutdownMs = 10_000;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      setTimeout(() => process.exit(0), shutdownMs).unref();
      void Promise.all([rollout?.stop(shutdownMs - 2000), app.queue.idle()])
        .then(() => server.stop())
        .finally(() => process.exit(0));
    });
  }
}

if (import.meta.main) await startServer();
