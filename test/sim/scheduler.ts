// The scheduler: binds each new pod to the least loaded of a few simulated nodes (which is what
// the base WordPress's soft anti-affinity would get) and records the Scheduled event.
import type { SimClock } from "./clock.ts";
import { setCondition } from "./conditions.ts";
import type { EventRecorder } from "./events.ts";
import type { ObjectStore } from "./store.ts";
import { refOf } from "./store.ts";
import type { Pod } from "./types.ts";

export interface SimNode {
  name: string;
  ip: string;
}

export function simNodes(count: number): SimNode[] {
  return Array.from({ length: count }, (_, i) => ({ name: `sim-node-${i + 1}`, ip: `192.168.49.${i + 2}` }));
}

export class Scheduler {
  private readonly store: ObjectStore;
  private readonly clock: SimClock;
  private readonly events: EventRecorder;
  readonly nodes: SimNode[];

  constructor(store: ObjectStore, clock: SimClock, events: EventRecorder, nodes: SimNode[]) {
    this.store = store;
    this.clock = clock;
    this.events = events;
    this.nodes = nodes;
  }

  /** Binds every unbound pod, yielding after each (see Controller in clock.ts). */
  *sync(): Generator<undefined, undefined, boolean> {
    const pods = this.store.scan<Pod>({ apiVersion: "v1", kind: "Pod" });
    const load = new Map(this.nodes.map((n) => [n.name, 0]));
    for (const p of pods)
      if (p.spec.nodeName && !p.metadata.deletionTimestamp) load.set(p.spec.nodeName, (load.get(p.spec.nodeName) ?? 0) + 1);
    for (const listed of pods) {
      if (listed.spec.nodeName || listed.metadata.deletionTimestamp) continue;
      const pod = (yield) ? this.store.peek<Pod>(refOf(listed)) : listed;
      if (!pod || pod.spec.nodeName || pod.metadata.deletionTimestamp) continue;
      const node = [...this.nodes].sort((a, b) => (load.get(a.name) ?? 0) - (load.get(b.name) ?? 0) || a.name.localeCompare(b.name))[0];
      if (!node) continue;
      load.set(node.name, (load.get(node.name) ?? 0) + 1);
      const now = this.clock.iso();
      const bound = this.store.mutate<Pod>(refOf(pod), (p) => {
        p.spec.nodeName = node.name;
        p.status = {
          ...p.status,
          phase: "Pending",
          conditions: setCondition(p.status?.conditions, {
            type: "PodScheduled",
            status: "True",
            lastProbeTime: null,
            lastTransitionTime: now,
          }),
        };
      });
      if (bound) {
        this.events.record(bound, {
          type: "Normal",
          reason: "Scheduled",
          message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.name}`,
          source: { component: "default-scheduler" },
        });
      }
    }
    return undefined;
  }
}
