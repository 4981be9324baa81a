// `npm start`: the kustodian GitHub App as a Probot server. Configuration comes from the
// environment (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, LOG_LEVEL), as
// Probot reads it; see the README.
import { run } from "probot";
import { createKustodianApp } from "./index.ts";

const app = createKustodianApp();
const server = await run(app.appFn);

// Finish accepted work before exiting: a deploy or a scale-down must not drop a command.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void app.queue.idle().then(async () => {
      await server.stop();
      process.exit(0);
    });
  });
}
