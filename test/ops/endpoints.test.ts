// /healthz, /readyz and /metrics against the running app: `node src/app/server.ts` as `npm start`
// runs it, its kubeconfig pointing at the simulator, GitHub at a closed loopback port.
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueCommentEvent } from "../app/payloads.ts";
import { repoRoot } from "../helpers/repo-root.ts";
import { startSimulator, type Simulator } from "../sim/index.ts";

const secret = "ops-test-secret";
let sim: Simulator;
let app: ChildProcess;
let base: string;
let output = "";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function get(path: string): Promise<{ status: number; text: string; type: string }> {
  const r = await fetch(`${base}${path}`);
  return { status: r.status, text: await r.text(), type: r.headers.get("content-type") ?? "" };
}

/** The value of one sample line of the scrape (0 when absent). */
function sample(scrape: string, name: string, labels: string): number {
  const line = scrape.split("\n").find((l) => l.startsWith(`${name}{${labels}}`) || (labels === "" && l.startsWith(`${name} `)));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

// Generous: a child Node process that imports the app can take tens of seconds to listen on a
// machine busy with other test runs; the wait is a net for a hang, not a measurement.
async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; app output:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  sim = await startSimulator({ clock: "real" });
  const dir = await mkdtemp(join(tmpdir(), "kustodian-ops-"));
  const kubeconfig = sim.writeKubeconfig(join(dir, "kubeconfig"));
  const [port, deadGitHub] = [await freePort(), await freePort()];
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  app = spawn(process.execPath, ["src/app/server.ts"], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      APP_ID: "1",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: secret,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      KUBECONFIG: kubeconfig,
      POD_NAMESPACE: "kustodian",
      GHE_HOST: `127.0.0.1:${deadGitHub}`,
      GHE_PROTOCOL: "http",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  app.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  app.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  base = `http://127.0.0.1:${port}`;
  await until("the app to listen", async () => ((await get("/healthz")).status === 200 ? true : undefined));
}, 120_000);

afterAll(async () => {
  if (app && app.exitCode === null) {
    const exited = new Promise((r) => app.once("exit", r));
    app.kill("SIGTERM");
    await exited;
  }
  await sim?.stop();
});

describe("the running app's operations endpoints", () => {
  it("/healthz answers while the process lives", async () => {
    expect(await get("/healthz")).toMatchObject({ status: 200, text: "ok\n" });
  });

  it("/readyz: webhooks loaded and the cluster answers; 503 naming the cluster once it does not", async () => {
    const ready = await get("/readyz");
    expect(ready.status).toBe(200);
    expect(ready.text).toContain("webhooks: ready");
    expect(ready.text).toMatch(/cluster: cluster kustodian-sim answers/);
    sim.faults.failNext(100, { status: 503, path: "/version" });
    const down = await until("/readyz to fail", async () => {
      const r = await get("/readyz");
      return r.status === 503 ? r : undefined;
    });
    expect(down.text).toMatch(/cluster: cluster kustodian-sim unreachable/);
    sim.faults.clear();
  });

  it("/metrics in Prometheus format; the delivery counter moves after a signed webhook; this replica leads", async () => {
    const body = JSON.stringify(issueCommentEvent({ number: 7, body: "looks good to me" }));
    const before = await get("/metrics");
    expect(before.status).toBe(200);
    expect(before.type).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      "kustodian_webhook_deliveries_total",
      "kustodian_github_requests_total",
      "kustodian_github_rate_limit_remaining",
      "kustodian_renders_total",
      "kustodian_render_duration_seconds",
      "kustodian_jobs_queued",
      "kustodian_rollouts_watched",
      "kustodian_rollout_verdicts_total",
      "kustodian_verdict_after_container_start_seconds",
      "kustodian_reverts_total",
      "kustodian_leader",
    ])
      expect(before.text).toContain(`# TYPE ${name} `);
    const labels = 'event="issue_comment",outcome="ignored"';
    const was = sample(before.text, "kustodian_webhook_deliveries_total", labels);

    const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const r = await fetch(`${base}/api/github/webhooks`, {
      signal: AbortSignal.timeout(10_000),
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issue_comment",
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": signature,
      },
      body,
    }).catch((error: unknown) => {
      throw new Error(
        `delivery failed: ${String(error)} ${String((error as { cause?: unknown }).cause)} exit=${app.exitCode}; app output:\n${output.slice(-3000)}`,
      );
    });
    expect(r.status).toBe(200);
    const after = await get("/metrics");
    expect(sample(after.text, "kustodian_webhook_deliveries_total", labels)).toBe(was + 1);

    // The Lease in the simulator: this replica takes it and says so.
    await until("the leader gauge", async () => (sample((await get("/metrics")).text, "kustodian_leader", "") === 1 ? true : undefined));
  }, 60_000);
});
