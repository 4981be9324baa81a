// Every Prometheus metric kustodian exposes on /metrics, defined here and nowhere else (prom-client).
// Flows record through the small interfaces below (WebhookMetrics, RolloutMetrics, ...) so they can
// be handed a recorder without knowing about Prometheus; gauges of state (jobs queued, rollouts
// watched, leading) are read from their owner at scrape time instead of being pushed.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** A webhook delivery's fate: queued for work, ignored (nothing to do), a redelivery dropped, or its work failed. */
export type DeliveryOutcome = "queued" | "ignored" | "duplicate" | "failed";

export interface WebhookMetrics {
  delivery(event: string, outcome: DeliveryOutcome): void;
}

export interface GitHubMetrics {
  /** `route` is Octokit's route template (`GET /repos/{owner}/{repo}/pulls/{pull_number}`, `POST /graphql`): bounded cardinality. */
  request(route: string, status: number, rateLimitRemaining?: number): void;
}

export interface RenderMetrics {
  render(outcome: "ok" | "error", seconds: number): void;
}

export interface RolloutMetrics {
  /** `reason`: Healthy, or the failure reason (ReadinessTimeout, CrashLoop, ...). `seconds`: from the merge to the verdict. */
  verdict(reason: string, seconds: number): void;
  /** `seconds`: from the first new container's start to the verdict, when the watcher knows it. */
  verdictAfterContainerStart(reason: string, seconds: number): void;
  revert(outcome: string): void;
}

/** The DORA figures of one app and environment over the last 30 days (src/delivery/dora.ts); null: nothing to measure. */
export interface DoraFigures {
  deploymentsPerDay: number;
  leadTimeSeconds: number | null;
  changeFailureRate: number | null;
  timeToRestoreSeconds: number | null;
}

export interface DeliveryMetrics {
  dora(app: string, environment: string, figures: DoraFigures): void;
}

/** Read at scrape time. */
export interface StateSources {
  jobsQueued?: () => number;
  rolloutsWatched?: () => number;
  leading?: () => boolean;
}

export interface Metrics extends WebhookMetrics, GitHubMetrics, RenderMetrics, RolloutMetrics, DeliveryMetrics {
  registry: Registry;
  /** Connects the gauges read at scrape time (later calls replace earlier sources of the same name). */
  observe(sources: StateSources): void;
  /** The Prometheus text exposition of every metric. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "kustodian_" });
  const sources: StateSources = {};

  const deliveries = new Counter({
    name: "kustodian_webhook_deliveries_total",
    help: "Webhook deliveries by event and outcome (queued, ignored, duplicate, failed).",
    labelNames: ["event", "outcome"] as const,
    registers: [registry],
  });
  const githubRequests = new Counter({
    name: "kustodian_github_requests_total",
    help: "Requests to the GitHub API by route template and HTTP status.",
    labelNames: ["route", "status"] as const,
    registers: [registry],
  });
  const rateLimit = new Gauge({
    name: "kustodian_github_rate_limit_remaining",
    help: "x-ratelimit-remaining of the last GitHub response that carried it.",
    registers: [registry],
  });
  const renders = new Counter({
    name: "kustodian_renders_total",
    help: "kustomize builds by outcome.",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const renderSeconds = new Histogram({
    name: "kustodian_render_duration_seconds",
    help: "Duration of one kustomize build.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: "kustodian_jobs_queued",
    help: "Work accepted from webhooks and not finished yet.",
    registers: [registry],
    collect() {
      this.set(sources.jobsQueued?.() ?? 0);
    },
  });
  new Gauge({
    name: "kustodian_rollouts_watched",
    help: "Rollouts this replica is watching now.",
    registers: [registry],
    collect() {
      this.set(sources.rolloutsWatched?.() ?? 0);
    },
  });
  new Gauge({
    name: "kustodian_leader",
    help: "1 when this replica holds the kustodian-watcher Lease (watches rollouts and acts on verdicts).",
    registers: [registry],
    collect() {
      this.set(sources.leading?.() ? 1 : 0);
    },
  });
  const verdicts = new Counter({
    name: "kustodian_rollout_verdicts_total",
    help: "Rollout verdicts by reason (Healthy or the failure reason).",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const verdictSeconds = new Histogram({
    name: "kustodian_rollout_verdict_seconds",
    help: "Time from the merge to the rollout verdict.",
    labelNames: ["reason"] as const,
    buckets: [5, 10, 20, 30, 60, 120, 300, 600, 1200],
    registers: [registry],
  });
  const afterStart = new Histogram({
    name: "kustodian_verdict_after_container_start_seconds",
    help: "Time from the start of the first new container to the rollout verdict.",
    labelNames: ["reason"] as const,
    buckets: [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const reverts = new Counter({
    name: "kustodian_reverts_total",
    help: "Failed rollouts acted on, by outcome (reverted, revert-pull-request, not-reverted, ...).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });

  const doraGauge = (name: string, help: string) =>
    new Gauge({ name: `kustodian_dora_${name}`, help, labelNames: ["app", "environment"] as const, registers: [registry] });
  const dora = {
    deploymentsPerDay: doraGauge("deployments_per_day", "Deployment frequency: kustodian rollouts per day over the last 30 days."),
    leadTimeSeconds: doraGauge(
      "lead_time_seconds",
      "Lead time for changes: median of first commit of the pull request -> Healthy, last 30 days.",
    ),
    changeFailureRate: doraGauge(
      "change_failure_rate",
      "Change failure rate: changes whose rollout failed or was reverted, of all concluded changes, last 30 days.",
    ),
    timeToRestoreSeconds: doraGauge(
      "time_to_restore_seconds",
      "Time to restore: median of failed verdict -> next Healthy rollout, last 30 days.",
    ),
  };

  return {
    registry,
    dora: (app, environment, figures) => {
      for (const key of Object.keys(dora) as (keyof DoraFigures)[]) {
        const value = figures[key];
        if (value === null) dora[key].remove({ app, environment });
        else dora[key].set({ app, environment }, value);
      }
    },
    delivery: (event, outcome) => deliveries.inc({ event, outcome }),
    request: (route, status, remaining) => {
      githubRequests.inc({ route, status: String(status) });
      if (remaining !== undefined && Number.isFinite(remaining)) rateLimit.set(remaining);
    },
    render: (outcome, seconds) => {
      renders.inc({ outcome });
      renderSeconds.observe(seconds);
    },
    verdict: (reason, seconds) => {
      verdicts.inc({ reason });
      verdictSeconds.observe({ reason }, Math.max(0, seconds));
    },
    verdictAfterContainerStart: (reason, seconds) => afterStart.observe({ reason }, Math.max(0, seconds)),
    revert: (outcome) => reverts.inc({ outcome }),
    observe: (s) => Object.assign(sources, s),
    scrape: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}
