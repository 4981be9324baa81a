// `node test/github-standin/main.ts [--port N] [--webhook-url URL] [--git-dir DIR] [--user LOGIN=ROLE]... [--latency-ms N]`
// The GitHub stand-in as a program (see README.md). WEBHOOK_SECRET signs the webhooks. Prints one
// JSON line when ready ({"ready":true,"url":...,"host":...,"gitDir":...}), then one per delivery.
import { parseArgs } from "node:util";
import { startStandin } from "./server.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "webhook-url": { type: "string" },
    "git-dir": { type: "string" },
    user: { type: "string", multiple: true, default: [] },
    "latency-ms": { type: "string", default: "0" },
  },
});
const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  process.stderr.write("WEBHOOK_SECRET must be set (the app's webhook secret)\n");
  process.exit(2);
}
const permissions = Object.fromEntries(values.user.map((u) => u.split("=", 2) as [string, string]));
const standin = await startStandin({
  port: Number(values.port),
  webhookSecret: secret,
  permissions,
  latencyMs: Number(values["latency-ms"]),
  ...(values["webhook-url"] ? { webhookUrl: values["webhook-url"] } : {}),
  ...(values["git-dir"] ? { gitDir: values["git-dir"] } : {}),
  onDelivery: (d) => process.stdout.write(`${JSON.stringify({ delivery: d })}\n`),
});
process.stdout.write(
  `${JSON.stringify({ ready: true, url: standin.url, host: standin.host, gitDir: standin.gitDir, repository: `${standin.owner}/${standin.repo}` })}\n`,
);
for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.once(signal, () => {
    void standin.stop().then(() => process.exit(0));
  });
