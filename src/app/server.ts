// `npm start`: the kustodian GitHub App as a Probot server. Configuration comes from the
// environment (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, LOG_LEVEL), as
// Probot reads it; see the README.
import { run, type Probot } from "probot";
import { createRolloutService } from "../rollout/service.ts";
import { createKustodianApp } from "./index.ts";

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
const rollout = process.env.KUSTODIAN_WATCH === "off" ? undefined : createRolloutService({ log: forward });

const app = createKustodianApp(rollout ? { rollout: rollout.orchestrator } : {});
const server = await run((probot: Probot) => {
  log = probot.log;
  app.appFn(probot);
  rollout?.start(probot);
});

// Finish accepted work before exiting: a deploy or a scale-down must not drop a command.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void app.queue.idle().then(async () => {
      await rollout?.stop();
      await server.stop();
      process.exit(0);
    });
  });
}
