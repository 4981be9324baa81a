// What a container does, decided by its image, as a timeline of container states and kubelet
// events. Pure: given the container, the pod and the time the kubelet starts it, it yields
// every change in order, so the kubelet can replay it at any speed.
//
// Image tag (or a tag ending in -<word>, e.g. v2-bad):
//   bad          runs but fails every readiness probe (tcpSocket: connection refused,
//                httpGet: status 500), so it never becomes Ready. Without a readinessProbe
//                nothing can fail, and the container is Ready once started, as in Kubernetes.
//   crashloop    exits with code 1 two seconds after each start: CrashLoopBackOff, restartCount
//                rising, lastState.terminated (reason Error); back-off 10s, 20s, ... 300s.
//   oom          the same with OOMKilled (exit code 137) after five seconds.
//   pullfail     ErrImagePull then ImagePullBackOff, retried with back-off; also any image whose
//                repository contains "does-not-exist".
//   configerror  CreateContainerConfigError (a referenced Secret or ConfigMap is missing).
//   slow         the image pull takes 60 s more (slow-120 for 120 s), then healthy.
//   anything else: healthy. Pulled after pullSeconds, then Ready after its readiness probe
//   passes successThreshold times; probes run at initialDelaySeconds + k * periodSeconds after
//   the container starts (the kubelet skips probes before initialDelaySeconds).
// Configuration can break a good image too: an environment variable SIM_BEHAVIOUR (a value, or
// a key of a ConfigMap the container loads with envFrom) set to one of the words above makes the
// container behave so whatever its image (a config change that breaks readiness). SIM_PROBE_MESSAGE
// (the same way) is what a failing readiness probe reports instead of the prober's own words: an
// exec probe's output or an HTTP body, which the app fills with what it likes (its own config).
import { createHash } from "node:crypto";
import type { Container, ContainerState, Probe } from "./types.ts";

export type Behaviour =
  | { kind: "healthy" }
  | { kind: "bad" }
  | { kind: "crashloop" }
  | { kind: "oom" }
  | { kind: "pullfail" }
  | { kind: "configerror" }
  | { kind: "slow"; extraSeconds: number };

export interface ContainerSnapshot {
  state: ContainerState;
  lastState: ContainerState | Record<string, never>;
  ready: boolean;
  started: boolean;
  restartCount: number;
  containerID?: string;
  imageID: string;
  /** Has run at least once: the pod phase is Running only when every container has. */
  everStarted: boolean;
}

export interface KubeletEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

export interface TimelineStep {
  at: number;
  snapshot?: ContainerSnapshot;
  events: KubeletEvent[];
}

export interface TimelineContext {
  container: Container;
  pod: { name: string; namespace: string; uid: string; ip: string };
  /** When the kubelet starts working on the container (the pod's startTime). */
  startAt: number;
  /** How long a successful image pull takes. */
  pullSeconds: number;
  newContainerId: () => string;
  /** Names a missing Secret/ConfigMap for configerror. */
  missingRef?: string;
  /** The container's SIM_BEHAVIOUR setting, which wins over its image's tag. */
  configuredBehaviour?: string;
  /** The container's SIM_PROBE_MESSAGE: a failing probe's message after "Readiness probe failed: ". */
  probeMessage?: string;
}

export function imageTag(image: string): string | undefined {
  const name = image.slice(image.lastIndexOf("/") + 1);
  if (name.includes("@")) return undefined;
  const colon = name.lastIndexOf(":");
  return colon < 0 ? "latest" : name.slice(colon + 1);
}

export function behaviourOf(image: string): Behaviour {
  const repository = image.split("@")[0]?.replace(/:[^/:]*$/, "") ?? image;
  if (repository.includes("does-not-exist")) return { kind: "pullfail" };
  const tag = imageTag(image) ?? "";
  const word = (w: string): boolean => tag === w || tag.endsWith(`-${w}`);
  const slow = /(?:^|-)slow(?:-?(\d+)s?)?$/.exec(tag);
  if (slow) return { kind: "slow", extraSeconds: slow[1] ? Number(slow[1]) : 60 };
  if (word("bad")) return { kind: "bad" };
  if (word("crashloop")) return { kind: "crashloop" };
  if (word("oom")) return { kind: "oom" };
  if (word("pullfail")) return { kind: "pullfail" };
  if (word("configerror")) return { kind: "configerror" };
  return { kind: "healthy" };
}

/** docker.io/library/nginx:1.27 for nginx:1.27, as the runtime reports images. */
export function normalizeImage(image: string): string {
  const first = image.split("/")[0] ?? "";
  let ref = image;
  if (!image.includes("/")) ref = `docker.io/library/${image}`;
  else if (!first.includes(".") && !first.includes(":") && first !== "localhost") ref = `docker.io/${image}`;
  const last = ref.slice(ref.lastIndexOf("/") + 1);
  if (!last.includes(":") && !last.includes("@")) ref = `${ref}:latest`;
  return ref;
}

export function imageId(image: string): string {
  const normalized = normalizeImage(image);
  const repo = normalized.split("@")[0]?.replace(/:[^/:]*$/, "") ?? normalized;
  return `${repo}@sha256:${createHash("sha256").update(normalized).digest("hex")}`;
}

function resolvePort(container: Container, port: number | string): number | string {
  if (typeof port === "number") return port;
  return container.ports?.find((p) => p.name === port)?.containerPort ?? port;
}

/** The message after "Readiness probe failed: ", as the kubelet's probers word it. */
export function probeFailureMessage(container: Container, probe: Probe, ip: string): string {
  if (probe.tcpSocket) return `dial tcp ${ip}:${resolvePort(container, probe.tcpSocket.port)}: connect: connection refused`;
  if (probe.httpGet) return "HTTP probe failed with statuscode: 500";
  if (probe.grpc) return `timeout: failed to connect service "${ip}:${probe.grpc.port}" within ${probe.timeoutSeconds ?? 1}s`;
  return `command ${JSON.stringify((probe.exec?.command ?? []).join(" "))} exited with 1`;
}

function goDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}m${s}s`;
}

const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
const backoffSeconds = (n: number): number => Math.min(300, 10 * 2 ** Math.max(0, n - 1));

export function* containerTimeline(ctx: TimelineContext): Generator<TimelineStep> {
  const { container, pod } = ctx;
  const behaviour = ctx.configuredBehaviour ? behaviourOf(`configured:${ctx.configuredBehaviour}`) : behaviourOf(container.image);
  const image = container.image;
  const name = container.name;
  const imageID = imageId(image);
  let t = ctx.startAt;
  const waiting = (reason: string, message?: string, extra: Partial<ContainerSnapshot> = {}): ContainerSnapshot => ({
    state: { waiting: message ? { reason, message } : { reason } },
    lastState: {},
    ready: false,
    started: false,
    restartCount: 0,
    imageID: "",
    everStarted: false,
    ...extra,
  });

  if (behaviour.kind === "pullfail") {
    const ref = normalizeImage(image);
    const error = `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
    yield {
      at: t,
      snapshot: waiting("ContainerCreating"),
      events: [{ type: "Normal", reason: "Pulling", message: `Pulling image "${image}"` }],
    };
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) yield { at: t, events: [{ type: "Normal", reason: "Pulling", message: `Pulling image "${image}"` }] };
      t += 1000;
      yield {
        at: t,
        snapshot: waiting("ErrImagePull", error),
        events: [
          { type: "Warning", reason: "Failed", message: `Failed to pull image "${image}": ${error}` },
          { type: "Warning", reason: "Failed", message: "Error: ErrImagePull" },
        ],
      };
      t += 1000;
      yield {
        at: t,
        snapshot: waiting("ImagePullBackOff", `Back-off pulling image "${image}"`),
        events: [
          { type: "Normal", reason: "BackOff", message: `Back-off pulling image "${image}"` },
          { type: "Warning", reason: "Failed", message: "Error: ImagePullBackOff" },
        ],
      };
      t += backoffSeconds(attempt) * 1000;
    }
  }

  const pullSeconds = ctx.pullSeconds + (behaviour.kind === "slow" ? behaviour.extraSeconds : 0);
  yield {
    at: t,
    snapshot: waiting("ContainerCreating"),
    events: [{ type: "Normal", reason: "Pulling", message: `Pulling image "${image}"` }],
  };
  t += pullSeconds * 1000;
  const pulled: KubeletEvent = {
    type: "Normal",
    reason: "Pulled",
    message: `Successfully pulled image "${image}" in ${goDuration(pullSeconds)} (${goDuration(pullSeconds)} including waiting)`,
  };

  if (behaviour.kind === "configerror") {
    const message = ctx.missingRef ?? `configmap "${pod.name.replace(/-[a-z0-9]+-[a-z0-9]+$/, "")}-config" not found`;
    yield {
      at: t,
      snapshot: waiting("CreateContainerConfigError", message, { imageID }),
      events: [pulled, { type: "Warning", reason: "Failed", message: `Error: ${message}` }],
    };
    for (;;) {
      t += 15_000;
      yield { at: t, events: [{ type: "Warning", reason: "Failed", message: `Error: ${message}` }] };
    }
  }

  const created: KubeletEvent = { type: "Normal", reason: "Created", message: `Created container ${name}` };
  const startedEvent: KubeletEvent = { type: "Normal", reason: "Started", message: `Started container ${name}` };

  if (behaviour.kind === "crashloop" || behaviour.kind === "oom") {
    const oom = behaviour.kind === "oom";
    const runMs = oom ? 5000 : 2000;
    let restartCount = 0;
    let lastState: ContainerSnapshot["lastState"] = {};
    let events: KubeletEvent[] = [pulled, created, startedEvent];
    for (;;) {
      const containerID = ctx.newContainerId();
      const startedAt = t;
      yield {
        at: t,
        snapshot: {
          state: { running: { startedAt: iso(startedAt) } },
          lastState,
          ready: false,
          started: true,
          restartCount,
          containerID,
          imageID,
          everStarted: true,
        },
        events,
      };
      t += runMs;
      const terminated: ContainerState = {
        terminated: {
          exitCode: oom ? 137 : 1,
          reason: oom ? "OOMKilled" : "Error",
          startedAt: iso(startedAt),
          finishedAt: iso(t),
          containerID,
        },
      };
      yield {
        at: t,
        snapshot: { state: terminated, lastState, ready: false, started: false, restartCount, containerID, imageID, everStarted: true },
        events: [],
      };
      lastState = terminated;
      t += 1000;
      if (restartCount > 0) {
        const seconds = backoffSeconds(restartCount);
        yield {
          at: t,
          snapshot: {
            state: {
              waiting: {
                reason: "CrashLoopBackOff",
                message: `back-off ${seconds}s restarting failed container=${name} pod=${pod.name}_${pod.namespace}(${pod.uid})`,
              },
            },
            lastState,
            ready: false,
            started: false,
            restartCount,
            containerID,
            imageID,
            everStarted: true,
          },
          events: [
            {
              type: "Warning",
              reason: "BackOff",
              message: `Back-off restarting failed container ${name} in pod ${pod.name}_${pod.namespace}(${pod.uid})`,
            },
          ],
        };
        t += seconds * 1000;
      }
      restartCount++;
      events = [
        { type: "Normal", reason: "Pulled", message: `Container image "${image}" already present on machine` },
        created,
        startedEvent,
      ];
    }
  }

  // healthy, slow and bad: the container runs.
  const containerID = ctx.newContainerId();
  const startedAt = t;
  const probe = container.readinessProbe;
  const running = (ready: boolean): ContainerSnapshot => ({
    state: { running: { startedAt: iso(startedAt) } },
    lastState: {},
    ready,
    started: true,
    restartCount: 0,
    containerID,
    imageID,
    everStarted: true,
  });
  yield { at: t, snapshot: running(!probe), events: [pulled, created, startedEvent] };
  if (!probe) return;
  const first = startedAt + (probe.initialDelaySeconds ?? 0) * 1000;
  const period = (probe.periodSeconds ?? 10) * 1000;
  if (behaviour.kind === "bad") {
    const message = `Readiness probe failed: ${ctx.probeMessage ?? probeFailureMessage(container, probe, pod.ip)}`;
    for (let k = 0; ; k++) yield { at: first + k * period, events: [{ type: "Warning", reason: "Unhealthy", message }] };
  }
  const successes = Math.max(1, probe.successThreshold ?? 1);
  yield { at: first + (successes - 1) * period, snapshot: running(true), events: [] };
}
