// `npm start`: the kustodian GitHub App as a Probot server. Configuration comes from the
// environment (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, HOST, LOG_LEVEL,
// GHE_HOST/GHE_PROTOCOL for another GitHub), as Probot reads it; see the README. Besides the
// webhooks it serves /healthz, /readyz and /metrics on the same port.
import { ProbotOctokit, run, type ApplicationFunctionOptions, type Probot } from "probot";
import { onKustomizeBuild } from "../render/kustomize-build.ts";
import { createMetrics } from "../metrics/metrics.ts";
import { createRolloutService } from "../rollout/service.ts";
import { createKustodianApp } from "./index.ts";
import { octokitMetrics } from "./octokit-metrics.ts";
import { opsHandler } from "./ops-endpoints.ts";

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
const rollout = process.env.KUSTODIAN_WATCH === "off" ? undefined : createRolloutService({ log: forward, orchestrator: { metrics } });

const app = createKustodianApp({ ...(rollout ? { rollout: rollout.orchestrator } : {}), metrics });
metrics.observe({
  jobsQueued: () => app.queue.size,
  ...(rollout ? { rolloutsWatched: () => rollout.watching(), leading: () => rollout.leading() } : {}),
});
let loaded = false;
const server = await run(
  (probot: Probot, { addHandler }: ApplicationFunctionOptions) => {
    log = probot.log;
    app.appFn(probot);
    addHandler(opsHandler({ metrics, webhooksReady: () => loaded, ...(rollout ? { cluster: () => rollout.reachable() } : {}) }));
    rollout?.start(probot);
    loaded = true;
  },
  // Every GitHub request is counted by route and status (the plugin keeps Probot's defaults).
  { Octokit: ProbotOctokit.plugin(octokitMetrics(metrics) as never) },
);

// Finish accepted work before exiting: a deploy or a scale-down must not drop a command. Then
// stop watching and release the Lease, so another replica leads at once.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void app.queue.idle().then(async () => {
      await rollout?.stop();
      await server.stop();
      process.exit(0);
    });
  });
}
