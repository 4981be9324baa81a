// The GitHub stand-in as an HTTP server on loopback: the same request handler as the nock fake
// (test/app/fake-github.ts), backed by a real git repository, served under GitHub Enterprise's
// paths (`/api/v3/...` REST, `/api/graphql`), so Probot reaches it through GHE_HOST and
// GHE_PROTOCOL=http. Changes made through the API send the webhooks GitHub would, signed with the
// app's webhook secret, one at a time in order, to the app's webhook URL.
import { createHmac, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { FakeGitHub } from "../app/fake-github.ts";
import { botLogin, owner, repo } from "../app/payloads.ts";
import { sampleGitRepo } from "../helpers/git-repo.ts";

export interface StandinOptions {
  /** The git repository to serve (default: a fresh copy of the sample repository, one commit on main). */
  gitDir?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Where webhooks go, e.g. http://127.0.0.1:3000/api/github/webhooks (settable later). */
  webhookUrl?: string;
  webhookSecret: string;
  /** Users and their role on the repository (admin, maintain, write, triage, read). */
  permissions?: Record<string, string>;
  /** Told of every delivery and its answer. */
  onDelivery?: (delivery: Delivery) => void;
  /**
   * Milliseconds every API call takes more than its handling (default 0): half before the
   * request is handled (its way there), half after (the answer's way back), as a round trip to
   * github.com adds. Webhook deliveries are not delayed.
   */
  latencyMs?: number;
}

export interface Delivery {
  id: string;
  event: string;
  action?: string;
  status: number | "failed";
}

export interface Standin {
  /** http://127.0.0.1:PORT */
  url: string;
  /** GHE_HOST for Probot: 127.0.0.1:PORT */
  host: string;
  gitDir: string;
  github: FakeGitHub;
  owner: string;
  repo: string;
  deliveries: Delivery[];
  setWebhookUrl(url: string): void;
  /** Resolves when every webhook queued so far has been delivered. */
  delivered(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStandin(options: StandinOptions): Promise<Standin> {
  const gitDir = options.gitDir ?? (await sampleGitRepo());
  const github = new FakeGitHub(gitDir, botLogin);
  for (const [user, role] of Object.entries(options.permissions ?? {})) github.permissions.set(user, role);
  let webhookUrl = options.webhookUrl;
  const deliveries: Delivery[] = [];
  let queue: Promise<void> = Promise.resolve();

  const send = async (event: string, payload: object) => {
    const body = JSON.stringify(payload);
    const id = randomUUID();
    const action = (payload as { action?: string }).action;
    let status: Delivery["status"] = "failed";
    if (webhookUrl) {
      try {
        const r = await fetch(webhookUrl, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "GitHub-Hookshot/standin",
            "x-github-event": event,
            "x-github-delivery": id,
            "x-hub-signature-256": `sha256=${createHmac("sha256", options.webhookSecret).update(body).digest("hex")}`,
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        status = r.status;
        await r.arrayBuffer();
      } catch {
        status = "failed";
      }
    }
    const delivery: Delivery = { id, event, ...(action ? { action } : {}), status };
    deliveries.push(delivery);
    options.onDelivery?.(delivery);
  };
  github.events = (event, payload) => {
    queue = queue.then(() => send(event, payload));
  };

  const halfLatency = (options.latencyMs ?? 0) / 2;
  const server: Server = createServer((req, res) => {
    void answer(req).then(
      async ([status, body, headers]) => {
        if (halfLatency > 0) await sleep(halfLatency);
        const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
        res.writeHead(status, {
          "content-type": "application/json; charset=utf-8",
          "x-ratelimit-limit": "5000",
          "x-ratelimit-remaining": "4999",
          "x-github-request-id": randomUUID(),
          ...headers,
        });
        res.end(text);
      },
      (error: unknown) => {
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: String(error) }));
      },
    );
  });

  async function answer(req: IncomingMessage): Promise<[number, unknown?, Record<string, string>?]> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (halfLatency > 0) await sleep(halfLatency);
    const raw = req.url ?? "/";
    // GitHub Enterprise's layout: REST under /api/v3, GraphQL at /api/graphql.
    const path = raw.startsWith("/api/v3/")
      ? raw.slice("/api/v3".length)
      : raw.startsWith("/api/graphql")
        ? `/graphql${raw.slice("/api/graphql".length)}`
        : raw;
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const method = req.method ?? "GET";
    const request = new Request(`https://api.github.com${path}`, {
      method,
      headers,
      ...(chunks.length > 0 && method !== "GET" && method !== "HEAD" ? { body: Buffer.concat(chunks) } : {}),
    });
    return github.handle(request);
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    gitDir,
    github,
    owner,
    repo,
    deliveries,
    setWebhookUrl: (url) => {
      webhookUrl = url;
    },
    delivered: async () => {
      let seen: Promise<void>;
      do {
        seen = queue;
        await seen;
      } while (seen !== queue);
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
