// `node test/sim/main.ts --repo DIR [--kubeconfig PATH] [--port N] [--request-log FILE] [--argo-refresh-seconds N]`
// The cluster simulator as a program, in real time (see README.md, "As a program"). For every
// environments/<env>.yaml of the git repository DIR it creates what the environment file says
// syncs it (an Argo CD Application or a Flux GitRepository + Kustomization reading DIR, path
// overlays/<env>), lets them sync and the workloads roll out, writes a kubeconfig whose contexts
// are the environments' `sync.context` names (all this simulator), and prints one JSON line:
// {"ready":true,"url":...,"kubeconfig":...,"environments":[...]}. SIGTERM/SIGINT stop it.
// `--control` (started with child_process.fork): --repo becomes optional, and requests on the IPC
// channel drive the cluster (control.ts; client: control-client.ts). `--nodes N`,
// `--history-limit N`: as startSimulator's options. SIM_LOOP_STATS=1: see the end.
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parse } from "yaml";
import { deployment, rolloutComplete } from "./helpers.ts";
import { serveControl, ServedLog } from "./control.ts";
import { startSimulator } from "./index.ts";
import type { KubeObject } from "./types.ts";

const { values } = parseArgs({
  options: {
    repo: { type: "string" },
    kubeconfig: { type: "string" },
    port: { type: "string", default: "0" },
    "request-log": { type: "string" },
    "argo-refresh-seconds": { type: "string", default: "2" },
    "flux-interval": { type: "string", default: "2s" },
    control: { type: "boolean", default: false },
    nodes: { type: "string" },
    "history-limit": { type: "string" },
  },
});
if (!values.repo && !values.control) {
  process.stderr.write("--repo DIR (the git repository Argo CD and Flux read) is required\n");
  process.exit(2);
}
const repo = values.repo;

interface EnvironmentFile {
  namespace: string;
  sync:
    | { tool: "argocd"; application: string; namespace?: string; context: string }
    | { tool: "flux"; kustomization: string; namespace?: string; context: string };
  workloads: Record<string, unknown>;
}
const environments = (repo === undefined ? [] : readdirSync(join(repo, "environments")))
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => ({ name: f.replace(/\.yaml$/, ""), file: parse(readFileSync(join(repo!, "environments", f), "utf8")) as EnvironmentFile }));

const served = values.control ? new ServedLog() : undefined;
const sim = await startSimulator({
  clock: "real",
  port: Number(values.port),
  argoRefreshSeconds: Number(values["argo-refresh-seconds"]),
  ...(values.control ? { lazyTicks: true } : {}), // clusters of thousands of objects: run the controllers when something is due
  ...(values.nodes ? { nodes: Number(values.nodes) } : {}),
  ...(values["history-limit"] ? { historyLimit: Number(values["history-limit"]) } : {}),
  ...(served ? { onWatchEvent: (event) => served.record(event) } : {}),
});
// The kubeconfig first (clients may start now), "ready" once every environment has rolled out.
const kubeconfig = values.kubeconfig ?? join(tmpdir(), `kustodian-sim-${process.pid}.kubeconfig`);
sim.writeKubeconfig(
  kubeconfig,
  environments.map((e) => e.file.sync.context),
);
const repoUrl = repo === undefined ? "" : pathToFileURL(repo).href;
for (const { name, file } of environments) {
  const s = file.sync;
  if (s.tool === "argocd") {
    sim.apply({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { name: s.application, namespace: s.namespace ?? "argocd" },
      spec: {
        project: "default",
        source: { repoURL: repoUrl, targetRevision: "main", path: `overlays/${name}` },
        destination: { server: "https://kubernetes.default.svc", namespace: file.namespace },
        syncPolicy: { automated: { prune: true } },
      },
    } as KubeObject);
    sim.gitops.sync({ kind: "Application", namespace: s.namespace ?? "argocd", name: s.application });
  } else {
    const ns = s.namespace ?? "flux-system";
    sim.apply([
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: { name: `${s.kustomization}-source`, namespace: ns },
        spec: { interval: values["flux-interval"], url: repoUrl, ref: { branch: "main" } },
      },
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: s.kustomization, namespace: ns },
        spec: {
          interval: values["flux-interval"],
          path: `./overlays/${name}`,
          prune: true,
          sourceRef: { kind: "GitRepository", name: `${s.kustomization}-source` },
        },
      },
    ] as KubeObject[]);
  }
}

// Every request served, as JSON lines (the demo's test checks them against deploy/'s RBAC).
// (The simulator keeps its last 2,000 records: new ones are those after the last one written.)
let last: object | undefined;
const flush = () => {
  if (!values["request-log"]) return;
  const all = sim.requests();
  const fresh = all.slice(last === undefined ? 0 : all.lastIndexOf(last as (typeof all)[number]) + 1);
  last = all.at(-1) ?? last;
  if (fresh.length > 0) appendFileSync(values["request-log"], fresh.map((r) => `${JSON.stringify(r)}\n`).join(""));
};
if (values["request-log"]) writeFileSync(values["request-log"], "");
const flusher = setInterval(flush, 250);

await sim.clock.runUntil(
  () =>
    environments.every(({ file }) =>
      Object.keys(file.workloads).every((w) => {
        try {
          return rolloutComplete(deployment(sim, w, file.namespace));
        } catch {
          return false;
        }
      }),
    ),
  { maxSimulatedMs: 120_000 },
);

process.stdout.write(
  `${JSON.stringify({ ready: true, url: sim.url, kubeconfig, environments: environments.map((e) => ({ name: e.name, namespace: e.file.namespace, context: e.file.sync.context, tool: e.file.sync.tool })) })}\n`,
);

if (served) serveControl(sim, served, () => process.exit(0));

// SIM_LOOP_STATS=1: on exit, the longest the event loop was blocked since the last `patch`
// control request (bench/watcher-scale.ts: since the merge), on stderr.
if (process.env["SIM_LOOP_STATS"]) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let since = performance.now();
  process.on("message", (message: { op?: string }) => {
    if (message.op !== "patch") return;
    delay.reset();
    since = performance.now();
  });
  process.on("exit", () => {
    const seconds = (performance.now() - since) / 1000;
    process.stderr.write(
      `[simulator] longest event-loop block in the ${seconds.toFixed(1)} s since the last patch: ${(delay.max / 1e6).toFixed(0)} ms ` +
        `(p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms)\n`,
    );
  });
}

for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.once(signal, () => {
    clearInterval(flusher);
    flush();
    void sim.stop().then(() => process.exit(0));
  });
