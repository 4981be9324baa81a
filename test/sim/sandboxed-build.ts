// The simulator's GitOps emulation is synchronous (a sync is one step of the simulated clock),
// but its renders must go through the same sandbox as kustodian's (src/render/kustomize-build.ts:
// the scan, the flags, the scrubbed environment, the timeout and the output cap). This runs that
// async function in a worker thread and waits for it with Atomics.wait, as execFileSync waited
// for kubectl before.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";

interface Reply {
  ok: boolean;
  yaml?: string;
  error?: string;
}

let worker: Worker | undefined;

function sandboxWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL("./sandboxed-build-worker.ts", import.meta.url));
    worker.unref();
  }
  return worker;
}

/** kustomizeBuild(dir, { root }) from src/render, called synchronously. Throws with the sandbox's user message. */
export function sandboxedBuildSync(dir: string, root: string): string {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  sandboxWorker().postMessage({ dir, root, port: port2, signal }, [port2 as MessagePort]);
  Atomics.wait(signal, 0, 0);
  const reply = receiveMessageOnPort(port1)?.message as Reply | undefined;
  port1.close();
  if (!reply) throw new Error("the render worker gave no answer");
  if (!reply.ok) throw new Error(reply.error);
  return reply.yaml ?? "";
}
