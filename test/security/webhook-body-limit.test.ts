// The webhook body limit in front of Probot (issue 11: a 1.5 GB unsigned POST took the process
// to 4.1 GB, because the body is read whole before the signature is checked). A body announced
// over GitHub's 25 MB cap is answered 413 and the connection closed before the body is read.
import { connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { generateKeyPairSync } from "node:crypto";
import { createNodeMiddleware, Probot } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhookServer, githubMaxPayloadBytes } from "../../src/app/webhook-server.ts";

let server: Server;
let port: number;
const received: string[] = [];

beforeAll(async () => {
  // Not the app test harness: it loads nock, whose interceptors also sit on raw sockets.
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const probot = new Probot({ appId: 1, privateKey, secret: "body-limit-test", logLevel: "fatal" });
  const middleware = await createNodeMiddleware(
    (app) => {
      app.onAny(async (context) => void received.push(context.name));
    },
    { probot },
  );
  server = createWebhookServer(middleware);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** Sends a request head on a raw socket; resolves with the socket and a promise of what the server answers. */
function open(head: string): { socket: Socket; answer: Promise<string>; closed: Promise<void> } {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {}); // EPIPE / ECONNRESET once the server has closed: expected
  let text = "";
  const answer = new Promise<string>((resolve) => {
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes("\r\n\r\n")) resolve(text);
    });
  });
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.write(head);
  return { socket, answer, closed };
}

const headers = (extra: string) =>
  `POST /api/github/webhooks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-GitHub-Event: push\r\nX-GitHub-Delivery: 1\r\nX-Hub-Signature-256: sha256=00\r\n${extra}\r\n`;

describe("the webhook body limit", () => {
  it("answers 413 to an unsigned 1.5 GB body before reading it, and hangs up", async () => {
    const { socket, answer, closed } = open(headers("Content-Length: 1500000000\r\n"));
    // The first 64 kB of the body: the answer comes while 1.5 GB are still to come (Probot alone
    // would wait for all of them, buffering them, before answering anything).
    socket.write(Buffer.alloc(64 * 1024, 0x20));
    expect(await answer).toMatch(/^HTTP\/1\.1 413 [^]*at most 26214400 are accepted/);
    // Then keep sending, as an attacker would: the server discards a little and hangs up.
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    let isClosed = false;
    void closed.then(() => (isClosed = true));
    while (!isClosed && sent < 256 * 1024 * 1024) {
      if (!socket.write(chunk)) await Promise.race([new Promise((resolve) => socket.once("drain", resolve)), closed]);
      else await new Promise((resolve) => setImmediate(resolve));
      sent += chunk.length;
    }
    await closed;
    expect(sent).toBeLessThan(256 * 1024 * 1024);
    expect(received).toEqual([]);
  });

  it("answers 411 to a body without a Content-Length (chunked)", async () => {
    const { socket, answer, closed } = open(headers("Transfer-Encoding: chunked\r\n"));
    socket.write("5\r\nhello\r\n");
    expect(await answer).toMatch(/^HTTP\/1\.1 411 /);
    await closed;
  });

  it("passes a body under the limit on to Probot, which checks the signature", async () => {
    const body = JSON.stringify({ zen: "x".repeat(1024) });
    const { answer } = open(headers(`Content-Length: ${Buffer.byteLength(body)}\r\n`) + body);
    const text = await answer;
    expect(text).not.toMatch(/^HTTP\/1\.1 41[13] /);
    expect(text).toMatch(/^HTTP\/1\.1 (400|401) /);
    expect(received).toEqual([]);
  });

  it("is GitHub's 25 MB cap, and answers /ping", async () => {
    expect(githubMaxPayloadBytes).toBe(25 * 1024 * 1024);
    const { answer } = open("GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n");
    expect(await answer).toMatch(/^HTTP\/1\.1 200 [^]*PONG/);
  });
});
