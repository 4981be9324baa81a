// Records core/v1 Events the way client-go's recorder does: one Event object per involved
// object + reason + message, whose count and lastTimestamp go up when it happens again.
import { rfc3339, type SimClock } from "./clock.ts";
import type { ObjectStore } from "./store.ts";
import type { CoreEvent, KubeObject } from "./types.ts";

export interface EventSource {
  component: string;
  host?: string;
}

export interface EventInput {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  /** e.g. spec.containers{wordpress} */
  fieldPath?: string;
  source: EventSource;
  /** When it happened; defaults to now. */
  at?: number;
}

export class EventRecorder {
  private readonly store: ObjectStore;
  private readonly clock: SimClock;
  private readonly byKey = new Map<string, string>();
  private sequence = 0n;

  constructor(store: ObjectStore, clock: SimClock) {
    this.store = store;
    this.clock = clock;
  }

  record(involved: KubeObject, input: EventInput): void {
    const namespace = involved.metadata.namespace ?? "default";
    const key = [involved.metadata.uid, input.reason, input.message, input.type, input.source.component, input.fieldPath ?? ""].join(
      "\u0000",
    );
    const timestamp = rfc3339(input.at ?? this.clock.now());
    const existingName = this.byKey.get(key);
    if (existingName) {
      const updated = this.store.mutate<CoreEvent>({ apiVersion: "v1", kind: "Event", namespace, name: existingName }, (e) => {
        e.count += 1;
        e.lastTimestamp = timestamp;
      });
      if (updated) return;
    }
    // client-go names events <object>.<hex of UnixNano>, so names sort by creation time.
    const nanos = BigInt(Math.floor(this.clock.now())) * 1_000_000n + this.sequence++;
    const name = `${involved.metadata.name}.${nanos.toString(16)}`;
    const involvedObject: CoreEvent["involvedObject"] = {
      apiVersion: involved.apiVersion,
      kind: involved.kind,
      name: involved.metadata.name,
      namespace,
    };
    if (involved.metadata.uid) involvedObject.uid = involved.metadata.uid;
    if (involved.metadata.resourceVersion) involvedObject.resourceVersion = involved.metadata.resourceVersion;
    if (input.fieldPath) involvedObject.fieldPath = input.fieldPath;
    const event: CoreEvent = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject,
      reason: input.reason,
      message: input.message,
      type: input.type,
      count: 1,
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      source: input.source.host ? { component: input.source.component, host: input.source.host } : { component: input.source.component },
      reportingComponent: input.source.component,
      reportingInstance: input.source.host ?? "",
    };
    this.store.create(event);
    this.byKey.set(key, name);
  }
}
