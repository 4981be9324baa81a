// The worker of sandboxed-build.ts: runs the real sandboxed kustomize build and wakes the caller.
import { parentPort, type MessagePort } from "node:worker_threads";
import { kustomizeBuild } from "../../src/render/kustomize-build.ts";
import { RenderError } from "../../src/render/render-errors.ts";

interface Request {
  dir: string;
  root: string;
  port: MessagePort;
  signal: Int32Array;
}

parentPort!.on("message", (request: Request) => {
  void kustomizeBuild(request.dir, { root: request.root }).then(
    (yaml) => reply(request, { ok: true, yaml }),
    (error: unknown) => reply(request, { ok: false, error: error instanceof RenderError ? error.userMessage : String(error) }),
  );
});

function reply(request: Request, message: { ok: boolean; yaml?: string; error?: string }): void {
  request.port.postMessage(message);
  request.port.close();
  Atomics.store(request.signal, 0, 1);
  Atomics.notify(request.signal, 0);
}
