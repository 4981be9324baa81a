// The control channel of the simulator as a program (`main.ts --control`): requests and replies
// as messages on the Node IPC channel of a forked process, so that a benchmark drives the cluster
// from another process (its own memory, its own event loop) and learns when each change was
// served on a watch stream. Times are on the clock every process of this machine shares
// (shared-clock.ts). The client side is
// control-client.ts, which imports none of the simulator.
import { applyPatch, type PatchType } from "./patch.ts";
import { rolloutComplete } from "./helpers.ts";
import { sharedNow } from "./shared-clock.ts";
import type { Simulator } from "./index.ts";
import type { ObjectRef } from "./store.ts";
import type { Deployment, KubeObject, WatchEvent } from "./types.ts";

export interface PatchRequest {
  ref: ObjectRef;
  /** How `patch` applies: "json" (RFC 6902 ops), "merge" (RFC 7386), "strategic". */
  type: Exclude<PatchType, "apply">;
  patch: unknown;
}

export type ControlRequest =
  /** Create or update objects, as kubectl apply. */
  | { op: "apply"; objects: KubeObject[] }
  /** Patch objects (spec, status, anything: the store has no subresource rules), all in one turn of the event loop. */
  | { op: "patch"; patches: PatchRequest[] }
  /** Resolves when every Deployment has rolled out (kubectl rollout status), with the simulated ms it took. */
  | { op: "wait-rolled-out"; maxSimulatedMs?: number }
  /** When the change of each resourceVersion was first written to a watch stream (shared clock), or null. */
  | { op: "served"; resourceVersions: string[] }
  | { op: "state" }
  | { op: "stop" };

export type ControlMessage = ControlRequest & { id: number };

export interface ControlReply {
  id: number;
  result?: unknown;
  error?: string;
}

export interface ControlState {
  /** Simulated now. */
  now: number;
  resourceVersion: string;
  openWatches: number;
  /** Changes whose serving time is remembered. */
  served: number;
}

/** When each change was first written to a watch stream, by resourceVersion; keeps the newest `limit`. */
export class ServedLog {
  private readonly times = new Map<string, number>();
  private readonly limit: number;

  constructor(limit = 500_000) {
    this.limit = limit;
  }

  record(event: WatchEvent): void {
    if (event.type === "BOOKMARK" || event.type === "ERROR") return;
    const rv = event.object.kind === "Status" ? undefined : event.object.metadata.resourceVersion;
    if (rv === undefined || this.times.has(rv)) return;
    this.times.set(rv, sharedNow());
    if (this.times.size > this.limit) this.times.delete(this.times.keys().next().value!);
  }

  at(rv: string): number | undefined {
    return this.times.get(rv);
  }

  size(): number {
    return this.times.size;
  }
}

function patched(current: KubeObject, request: PatchRequest): KubeObject {
  const next = applyPatch(request.type, current, request.patch) as KubeObject;
  next.metadata.resourceVersion = undefined;
  return next;
}

export async function handleControl(sim: Simulator, served: ServedLog, request: ControlRequest): Promise<unknown> {
  switch (request.op) {
    case "apply":
      return sim.apply(request.objects).length;
    case "patch":
      for (const p of request.patches) {
        const current = sim.store.get(p.ref);
        if (!current) throw new Error(`${p.ref.kind} ${p.ref.namespace ?? ""}/${p.ref.name} not found`);
        sim.store.update(patched(current, p));
      }
      return request.patches.length;
    case "wait-rolled-out": {
      // scan, not list: polled every tick, and rolloutComplete only reads (1,000 copies a poll cost ~1.5 s of the setup).
      const deployments = (): Deployment[] => sim.store.scan<Deployment>({ apiVersion: "apps/v1", kind: "Deployment" });
      return sim.clock.runUntil(() => deployments().every(rolloutComplete), { maxSimulatedMs: request.maxSimulatedMs ?? 300_000 });
    }
    case "served":
      return request.resourceVersions.map((rv) => served.at(rv) ?? null);
    case "state":
      return {
        now: sim.clock.now(),
        resourceVersion: sim.store.resourceVersion(),
        openWatches: sim.openWatches().length,
        served: served.size(),
      } satisfies ControlState;
    case "stop":
      await sim.stop();
      return undefined;
  }
}

/** Answers requests arriving on this process's IPC channel (process.send must exist: started with fork). */
export function serveControl(sim: Simulator, served: ServedLog, onStop: () => void): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error("--control needs an IPC channel: start the simulator with child_process.fork");
  process.once("disconnect", onStop); // the controlling process went away
  process.on("message", (message: ControlMessage) => {
    handleControl(sim, served, message).then(
      (result) => {
        send({ id: message.id, result } satisfies ControlReply, undefined, {}, () => {
          if (message.op === "stop") onStop();
        });
      },
      (error: unknown) => send({ id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies ControlReply),
    );
  });
}
