// The separate processes `npm run demo` and the real-time benchmarks start (the GitHub stand-in,
// the cluster simulator, the app server): each in its own process group with its output in a log
// file, waited for by probing, and stopped kustodian first (it releases its Lease on SIGTERM,
// and a release sent to a simulator that is going away waits out the delay before SIGKILL).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { NODE_ENVIRONMENT } from "./node-runtime.ts";

export interface Child {
  name: string;
  child: ChildProcess;
  log: string;
}

export interface ChildProcesses {
  readonly children: readonly Child[];
  /** Starts `node ARGS` (this Node) in `root`, in its own process group, output appended to WORK/NAME.log. */
  start(name: string, args: string[], env: Record<string, string>): Child;
  /** Probes until it answers a value (not undefined/false); fails at once when a child has exited, or after the timeout. */
  until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs?: number): Promise<T>;
  /** SIGTERM to every group, kustodian first, and waits for each child (SIGKILL after 5 s; its group's leftovers killed). */
  stopAllAndWait(): Promise<void>;
  /** Synchronous, for `process.on("exit")`: SIGTERM to every group, SIGKILL to those still alive after 3 s. */
  stopAllNow(): void;
}

export function childProcesses(options: { root: string; work: string; pollMs?: number }): ChildProcesses {
  const children: Child[] = [];
  const pollMs = options.pollMs ?? 100;

  function start(name: string, args: string[], env: Record<string, string>): Child {
    const log = join(options.work, `${name}.log`);
    const out = openSync(log, "a");
    // Its own process group (detached), output to a file: a caller may leave it running after it exits.
    const child = spawn(process.execPath, args, {
      cwd: options.root,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ["ignore", out, out],
    });
    const started = { name, child, log };
    children.push(started);
    return started;
  }

  async function until<T>(
    what: string,
    probe: () => Promise<T | undefined | false> | T | undefined | false,
    timeoutMs = 60_000,
  ): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const value = await Promise.resolve()
        .then(probe)
        .catch(() => undefined);
      if (value !== undefined && value !== false) return value;
      for (const { name, child, log } of children)
        if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) while waiting for ${what}:\n${tail(log)}`);
      if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  async function stopAllAndWait(): Promise<void> {
    const exited = (child: ChildProcess) =>
      child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once("exit", () => r()));
    const stop = async ({ child }: Child) => {
      signalGroup(child, "SIGTERM");
      const timer = setTimeout(() => signalGroup(child, "SIGKILL"), 5000);
      await exited(child);
      clearTimeout(timer);
      // Whatever it started in its group (kustomize runs) goes with it.
      signalGroup(child, "SIGKILL");
    };
    await Promise.all(children.filter((c) => c.name === "kustodian").map(stop));
    await Promise.all(children.filter((c) => c.name !== "kustodian").map(stop));
  }

  function stopAllNow(): void {
    for (const { child } of children) if (child.exitCode === null) signalGroup(child, "SIGTERM");
    const deadline = Date.now() + 3000;
    for (const { child } of children) {
      if (child.pid === undefined) continue;
      while (groupAlive(child.pid) && Date.now() < deadline) execFileSync("sleep", ["0.05"]);
      if (groupAlive(child.pid)) signalGroup(child, "SIGKILL");
    }
  }

  return { children, start, until, stopAllAndWait, stopAllNow };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Whether any process of the group `pid` leads is still alive. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The last lines of a log file ("" when there is none yet). */
export function tail(file: string, lines = 30): string {
  return existsSync(file) ? readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n") : "";
}

/** The first JSON line with `ready: true` a child printed. */
export function readyLine<T>(log: string): T | undefined {
  if (!existsSync(log)) return undefined;
  for (const line of readFileSync(log, "utf8").split("\n"))
    if (line.startsWith("{") && line.includes('"ready":true')) return JSON.parse(line) as T;
  return undefined;
}

/** A loopback port nothing listens on (now). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePort(port));
    });
  });
}

/** A fresh GitHub App identity for a run against the stand-in: its webhook secret and private key (PEM). */
export function appCredentials(): { webhookSecret: string; privateKey: string } {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { webhookSecret: randomBytes(20).toString("hex"), privateKey };
}

/** The settings the server (SERVER_ARGS, node-runtime.ts) runs with against the GitHub stand-in and the simulator, as a deployment would set them. */
export function appEnvironment(options: {
  privateKey: string;
  webhookSecret: string;
  port: number;
  githubHost: string;
  kubeconfig: string;
  logLevel?: string;
}): Record<string, string> {
  return {
    APP_ID: "1",
    PRIVATE_KEY: options.privateKey,
    WEBHOOK_SECRET: options.webhookSecret,
    PORT: String(options.port),
    HOST: "127.0.0.1",
    GHE_HOST: options.githubHost,
    GHE_PROTOCOL: "http",
    KUBECONFIG: options.kubeconfig,
    POD_NAMESPACE: "kustodian",
    LOG_LEVEL: options.logLevel ?? "info",
    NODE_ENV: "production",
    ...NODE_ENVIRONMENT,
  };
}
