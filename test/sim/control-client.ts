// The controlling side of `main.ts --control`: forks the simulator program and sends it requests
// (control.ts) on the IPC channel. Imports nothing of the simulator, so the calling process holds
// no simulator code or state (a benchmark measures its own memory).
import { fork, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { ControlReply, ControlRequest } from "./control.ts";

export interface SimulatorProcess {
  url: string;
  pid: number;
  request<T = unknown>(request: ControlRequest): Promise<T>;
  /** Stops the simulator and waits for the process to exit. */
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

/** Starts `node test/sim/main.ts --control ...args` and resolves once it serves (its "ready" line). */
export async function forkSimulator(args: readonly string[] = []): Promise<SimulatorProcess> {
  const child: ChildProcess = fork(MAIN, ["--control", ...args], { stdio: ["ignore", "pipe", "inherit", "ipc"], execArgv: [] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  child.on("message", (reply: ControlReply) => {
    const p = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error !== undefined) p?.reject(new Error(`simulator: ${reply.error}`));
    else p?.resolve(reply.result);
  });
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error("the simulator process exited"));
    pending.clear();
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    lines.once("line", (line) => resolve(JSON.parse(line) as { url: string }));
    void exited.then(() => reject(new Error("the simulator process exited before it was ready")));
  });
  lines.on("line", (line) => process.stdout.write(`[simulator] ${line}\n`));
  return {
    url: ready.url,
    pid: child.pid!,
    request<T>(request: ControlRequest): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ ...request, id });
      });
    },
    async stop() {
      if (child.exitCode === null && child.connected) {
        const id = nextId++;
        child.send({ op: "stop", id });
      }
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
