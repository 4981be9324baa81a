// The HTTP server in front of Probot's webhook middleware. @octokit/webhooks reads the whole
// body into memory before it checks the signature, so an unsigned 1.5 GB POST took the process
// to 4 GB (issue 11). GitHub sends at most 25 MB and always with a Content-Length: a body
// announced larger is answered 413 before a byte of it is read, and one without a length 411, so
// what the middleware buffers is bounded by the limit (Node's parser never reads past the
// announced length into the body).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** GitHub's own cap on a webhook payload (docs: "Payloads are capped at 25 MB"). */
export const githubMaxPayloadBytes = 25 * 1024 * 1024;

export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next?: () => void) => unknown;

export interface WebhookServerOptions {
  /** Most bytes a request body may announce. Default: GitHub's 25 MB cap. */
  maxBodyBytes?: number;
}

/** Answers a request whose body is (or may be) over the limit, without reading it; true when it did. */
export function refuseOversizedBody(req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): boolean {
  if (req.method === "GET" || req.method === "HEAD") return false;
  const length = req.headers["content-length"];
  if (length === undefined) {
    if (req.headers["transfer-encoding"] === undefined) return false; // no body at all
    return refuse(req, res, 411, "a request body needs a Content-Length");
  }
  const bytes = Number(length);
  if (!Number.isSafeInteger(bytes) || bytes < 0) return refuse(req, res, 400, "invalid Content-Length");
  if (bytes > maxBodyBytes) return refuse(req, res, 413, `the body is ${bytes} bytes; at most ${maxBodyBytes} are accepted`);
  return false;
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string): true {
  // With `connection: close`, Node half-closes the socket once the answer is out and discards
  // (never buffers) what the client still sends, so that it can read the answer; past a little
  // of that, or a second, the connection is dropped: the body is never read through.
  res.writeHead(status, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify({ error }));
  let discarded = 0;
  const drop = () => req.socket.destroy();
  const timer = setTimeout(drop, lingerMs);
  timer.unref();
  req.socket.once("close", () => clearTimeout(timer));
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > lingerBytes) drop();
  });
  return true;
}

/** After a refusal: how much more of the body is read and discarded, and for how long, before hanging up. */
const lingerBytes = 1024 * 1024;
const lingerMs = 1000;

/** An HTTP server: GET /ping, then the body limit, then Probot's middleware; 404 for the rest. */
export function createWebhookServer(middleware: NodeMiddleware, options: WebhookServerOptions = {}): Server {
  const maxBodyBytes = options.maxBodyBytes ?? githubMaxPayloadBytes;
  return createServer((req, res) => {
    if (req.method === "GET" && req.url?.split("?")[0] === "/ping")
      return void res.writeHead(200, { "content-type": "text/plain" }).end("PONG");
    if (refuseOversizedBody(req, res, maxBodyBytes)) return;
    void Promise.resolve(
      middleware(req, res, () => {
        if (!res.headersSent) res.writeHead(404).end();
      }),
    ).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
}
