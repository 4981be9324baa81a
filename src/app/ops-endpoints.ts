// /healthz, /readyz and /metrics on the app's port, as a Probot server handler.
// - /healthz: the process answers (liveness: a slow cluster or GitHub must not restart it).
// - /readyz: the webhook handler is loaded and, when the rollout watch is on, the cluster answers
//   (checked at most every `cacheMs`, so probes do not hammer the API server).
// - /metrics: Prometheus text format (src/metrics).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Metrics } from "../metrics/metrics.ts";

export interface ReadinessCheck {
  ok: boolean;
  detail: string;
}

export interface OpsOptions {
  metrics: Metrics;
  /** Whether the webhook handler is loaded. */
  webhooksReady: () => boolean;
  /** When the watch is on: whether the cluster answers. */
  cluster?: () => Promise<ReadinessCheck>;
  cacheMs?: number;
  now?: () => number;
}

export function opsHandler(options: OpsOptions) {
  const cacheMs = options.cacheMs ?? 5000;
  const now = options.now ?? Date.now;
  let cached: { at: number; check: Promise<ReadinessCheck> } | undefined;
  const cluster = () => {
    if (!options.cluster) return Promise.resolve({ ok: true, detail: "watch off: no cluster needed" });
    if (!cached || now() - cached.at >= cacheMs) cached = { at: now(), check: options.cluster() };
    return cached.check;
  };
  const send = (res: ServerResponse, status: number, body: string, contentType = "text/plain; charset=utf-8") => {
    res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" }).end(body);
    return true;
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = (req.url ?? "").split("?")[0];
    switch (path) {
      case "/healthz":
        return send(res, 200, "ok\n");
      case "/readyz": {
        const webhooks = options.webhooksReady();
        const c = await cluster();
        const lines = [`webhooks: ${webhooks ? "ready" : "not loaded"}`, `cluster: ${c.detail}`];
        return send(res, webhooks && c.ok ? 200 : 503, `${lines.join("\n")}\n`);
      }
      case "/metrics": {
        const { contentType, body } = await options.metrics.scrape();
        return send(res, 200, body, contentType);
      }
      default:
        return false;
    }
  };
}
