// Leader election on a coordination.k8s.io/v1 Lease, after client-go's leaderelection package:
// acquire the Lease when it is free or its holder has not renewed it for leaseDurationSeconds,
// renew it every renewSeconds while leading, and step down when a renewal cannot be made within
// renewDeadlineSeconds or someone else holds it. Every write carries the resourceVersion that
// was read, so of two candidates writing at once the API server lets one win (409 Conflict for
// the other, or AlreadyExists on create).
//
// Expiry is judged as client-go does, by the local time at which this candidate last saw the
// record change (not by the holder's renewTime), so clock skew between replicas does not matter:
// a candidate that has just started waits a full lease duration before taking over a held Lease.
// Unlike client-go, a candidate does not wait for its next retry once the Lease it watches
// expires: it tries at the expiry itself, so a crashed leader is replaced within the lease
// duration plus one retry period (the most a candidate can be late in seeing the last renewal).
import { CoordinationV1Api, type KubeConfig, type V1Lease } from "@kubernetes/client-node";
import type { Clock } from "../clock/clock.ts";
import { silentLog, type Log, errorFields } from "../log/log.ts";

export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Lease name, e.g. kustodian-watcher. */
  name: string;
  /** This replica, e.g. the pod name. */
  identity: string;
  clock: Clock;
  /** How long a Lease not renewed stays the holder's. Default 15 (client-go's default). */
  leaseDurationSeconds?: number;
  /** How often the leader renews, and a candidate retries. Default 2 (client-go's retryPeriod). */
  renewSeconds?: number;
  /** The leader steps down when it could not renew for this long. Default 10. Must be < leaseDurationSeconds. */
  renewDeadlineSeconds?: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  log?: Log;
}

export interface LeaderElector {
  start(): void;
  /**
   * Stops trying. A leader releases the Lease (so another replica takes over at its next retry)
   * unless `release: false` (what a crash looks like: the others wait for the Lease to expire).
   */
  stop(options?: { release?: boolean }): Promise<void>;
  isLeader(): boolean;
  /** Resolves when no attempt is in flight (tests step simulated time after it). */
  idle(): Promise<void>;
  /** Whether an attempt is in flight now. */
  busy(): boolean;
}

function statusCode(error: unknown): number | undefined {
  const e = error as { code?: unknown; statusCode?: unknown } | null;
  const code = e?.code ?? e?.statusCode;
  return typeof code === "number" ? code : undefined;
}

export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  const { clock, namespace, name, identity } = options;
  const durationSeconds = options.leaseDurationSeconds ?? 15;
  const renewMs = (options.renewSeconds ?? 2) * 1000;
  const renewDeadlineMs = (options.renewDeadlineSeconds ?? 10) * 1000;
  const log = options.log ?? silentLog;
  if (renewDeadlineMs >= durationSeconds * 1000) throw new Error("renewDeadlineSeconds must be shorter than leaseDurationSeconds");

  let leading = false;
  let running = false;
  let cancelTimer: (() => void) | undefined;
  let attempt: Promise<void> | undefined;
  let lastRenewAt = 0;
  let observedVersion: string | undefined;
  let observedAt = 0;
  /** When the Lease another candidate holds expires, as this candidate sees it (undefined: not held by another). */
  let expiresAt: number | undefined;

  function setLeading(value: boolean): void {
    if (leading === value) return;
    leading = value;
    log.info({ lease: `${namespace}/${name}`, identity, leading: value }, value ? "started leading" : "stopped leading");
    if (value) options.onStartedLeading();
    else options.onStoppedLeading();
  }

  function record(now: number, previous: V1Lease["spec"]): NonNullable<V1Lease["spec"]> {
    const renewing = previous?.holderIdentity === identity;
    return {
      holderIdentity: identity,
      leaseDurationSeconds: durationSeconds,
      acquireTime: renewing && previous?.acquireTime ? previous.acquireTime : new Date(now),
      renewTime: new Date(now),
      leaseTransitions: (previous?.leaseTransitions ?? 0) + (renewing || !previous?.holderIdentity ? 0 : 1),
    };
  }

  /** true: we hold the Lease now; false: someone else does (or won the race). Throws on API errors. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const now = clock.now();
    expiresAt = undefined;
    let lease: V1Lease;
    try {
      lease = await api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (statusCode(error) !== 404) throw error;
      try {
        const created = await api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: record(now, undefined) },
        });
        observedVersion = created.metadata?.resourceVersion;
        observedAt = now;
        return true;
      } catch (createError) {
        if (statusCode(createError) === 409) return false; // another candidate created it first
        throw createError;
      }
    }
    if (lease.metadata?.resourceVersion !== observedVersion) {
      observedVersion = lease.metadata?.resourceVersion;
      observedAt = now;
    }
    const spec = lease.spec;
    const holder = spec?.holderIdentity;
    const duration = (spec?.leaseDurationSeconds ?? durationSeconds) * 1000;
    if (holder && holder !== identity && observedAt + duration > now) {
      expiresAt = observedAt + duration;
      return false;
    }
    try {
      const updated = await api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec: record(now, spec) } });
      observedVersion = updated.metadata?.resourceVersion;
      observedAt = now;
      return true;
    } catch (error) {
      if (statusCode(error) === 409) return false; // someone wrote since we read: they won
      throw error;
    }
  }

  async function tick(): Promise<void> {
    const now = clock.now();
    try {
      const held = await tryAcquireOrRenew();
      if (held) lastRenewAt = now;
      if (!running) return;
      setLeading(held);
    } catch (error) {
      log.warn({ lease: `${namespace}/${name}`, identity, err: errorFields(error) }, "lease request failed");
      if (leading && clock.now() - lastRenewAt >= renewDeadlineMs) setLeading(false);
    }
  }

  function schedule(at: number): void {
    cancelTimer?.();
    cancelTimer = clock.at(at, () => {
      cancelTimer = undefined;
      if (!running || attempt) return;
      attempt = tick().finally(() => {
        attempt = undefined;
        // The next retry, or the moment the Lease expires when that comes first.
        const next = clock.now() + renewMs;
        if (running) schedule(expiresAt !== undefined && expiresAt > clock.now() ? Math.min(next, expiresAt) : next);
      });
    });
  }

  async function release(): Promise<void> {
    try {
      const lease = await api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = new Date(clock.now());
      // client-go's ReleaseOnCancel: an empty holder the others may take at once.
      await api.replaceNamespacedLease({
        name,
        namespace,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now } },
      });
    } catch (error) {
      log.warn({ lease: `${namespace}/${name}`, identity, err: errorFields(error) }, "could not release the lease; it expires by itself");
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(clock.now());
    },
    async stop(stopOptions = {}) {
      running = false;
      cancelTimer?.();
      cancelTimer = undefined;
      await attempt;
      if (leading && stopOptions.release !== false) await release();
      setLeading(false);
    },
    isLeader: () => leading,
    idle: async () => {
      await attempt;
    },
    busy: () => attempt !== undefined,
  };
}
