import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAgainstBase } from "../../src/overlays/check-against-base.ts";
import { parseEnvironmentFile } from "../../src/environments/parse.ts";
import { formatProblem } from "../../src/environments/problems.ts";
import type { KubeObject } from "../../src/k8s/manifest-types.ts";
import { kustomizeBuild } from "../../src/render/kustomize-build.ts";
import { parseManifests } from "../../src/render/parse-manifests.ts";
import { baseInventory, type BaseInventory } from "../../src/overlays/base-inventory.ts";
import { generateOverlay } from "../../src/overlays/generate.ts";
import { repoRoot } from "../helpers/repo-root.ts";

// The overlay vocabulary beyond one Deployment with one container (issue 12, item 3), built with
// the real kustomize against a base with two Deployments sharing an image name, a sidecar, an
// init container, a StatefulSet, a DaemonSet and a CronJob.

const fixture = join(repoRoot, "test/fixtures/vocabulary/base");
let dir: string;
let base: BaseInventory;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kustodian-vocabulary-"));
  await cp(fixture, join(dir, "base"), { recursive: true });
  base = baseInventory(parseManifests(await kustomizeBuild(join(dir, "base"), { root: dir })), [await readFile(join(fixture, "kustomization.yaml"), "utf8")]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const header = `namespace: shop
sync: { tool: argocd, application: shop, context: prod }
`;

function parsed(text: string) {
  const result = parseEnvironmentFile("environments/prod.yaml", text);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
  return result;
}

function problems(text: string): string[] {
  const env = parsed(text);
  return checkAgainstBase(env.file, text, env.doc, env.env, base).map(formatProblem);
}

let builds = 0;
async function build(text: string): Promise<KubeObject[]> {
  const env = parsed(text);
  expect(checkAgainstBase(env.file, text, env.doc, env.env, base).map(formatProblem)).toEqual([]);
  const overlay = join(dir, "overlays", `e${++builds}`);
  await mkdir(overlay, { recursive: true });
  const files = generateOverlay("prod", env.env, base, { file: "environments/prod.yaml", dir: "x", bases: ["../../base"] });
  await writeFile(join(overlay, "kustomization.yaml"), files.get("x/kustomization.yaml")!);
  return parseManifests(await kustomizeBuild(overlay, { root: dir }));
}

type Container = { name: string; image: string; env?: { name: string; value?: string }[]; resources?: unknown };
function podSpec(objects: KubeObject[], kind: string, name: string): { containers: Container[]; initContainers?: Container[] } {
  const o = objects.find((x) => x.kind === kind && x.metadata.name.endsWith(name)) as
    | { spec: { template?: { spec: never }; jobTemplate?: { spec: { template: { spec: never } } } } }
    | undefined;
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o.spec.template?.spec ?? o.spec.jobTemplate!.spec.template.spec;
}
const imagesOf = (objects: KubeObject[], kind: string, name: string) => {
  const spec = podSpec(objects, kind, name);
  return Object.fromEntries([...spec.containers, ...(spec.initContainers ?? [])].map((c) => [c.name, c.image]));
};

describe("overlay vocabulary", () => {
  it("finds Deployments, StatefulSets and DaemonSets with all their containers, and every image use", () => {
    expect(base.workloads.map((w) => `${w.kind}/${w.name}:${w.container}:${w.containers.map((c) => (c.init ? `init ${c.name}` : c.name)).join(",")}`)).toEqual([
      "Deployment/api:api:api,envoy,init migrate",
      "Deployment/worker:worker:worker",
      "StatefulSet/db:postgres:postgres",
      "DaemonSet/agent:agent:agent",
    ]);
    expect(base.imageUses.find((u) => u.kind === "CronJob")).toEqual({ kind: "CronJob", name: "cleanup", container: "cleanup", imageName: "busybox" });
  });

  it("keeps kustomize's images: when workloads sharing an image name agree (and it reaches the init container and other users)", async () => {
    const objects = await build(`${header}workloads:
  api: { image: ghcr.io/acme/app:1.1.0 }
  worker: { image: ghcr.io/acme/app:1.1.0 }
`);
    expect(imagesOf(objects, "Deployment", "api")).toEqual({ api: "ghcr.io/acme/app:1.1.0", envoy: "envoyproxy/envoy:v1.30.0", migrate: "ghcr.io/acme/app:1.1.0" });
    expect(imagesOf(objects, "Deployment", "worker")).toEqual({ worker: "ghcr.io/acme/app:1.1.0" });
  });

  it("gives each workload its own tag where workloads sharing an image name differ", async () => {
    const text = `${header}workloads:
  api: { image: ghcr.io/acme/app:1.1.0 }
  worker: { image: ghcr.io/acme/app:1.2.0 }
`;
    const env = parsed(text);
    const overlay = [...generateOverlay("prod", env.env, base).values()][0]!;
    expect(overlay).toContain("images: []");
    const objects = await build(text);
    expect(imagesOf(objects, "Deployment", "api")).toEqual({ api: "ghcr.io/acme/app:1.1.0", envoy: "envoyproxy/envoy:v1.30.0", migrate: "ghcr.io/acme/app:1.1.0" });
    expect(imagesOf(objects, "Deployment", "worker")).toEqual({ worker: "ghcr.io/acme/app:1.2.0" });
  });

  it("sets images, resources and env per container, on StatefulSets and DaemonSets too", async () => {
    const objects = await build(`${header}workloads:
  api:
    env: { MODE: api-eu, REGION: eu }
    containers:
      envoy:
        image: envoyproxy/envoy:v1.31.1
        resources: { limits: { memory: 128Mi } }
        env: { ENVOY_LOG: debug }
  db:
    image: postgres:16.4
    replicas: 3
    resources: { requests: { cpu: 500m } }
    rollingUpdate: { maxUnavailable: 1 }
  agent:
    image: fluent/fluent-bit:3.1.4
    env: { LEVEL: warn }
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }
`);
    const api = podSpec(objects, "Deployment", "api");
    expect(api.containers.find((c) => c.name === "api")!.env).toEqual([
      { name: "MODE", value: "api-eu" },
      { name: "REGION", value: "eu" },
    ]);
    const envoy = api.containers.find((c) => c.name === "envoy")!;
    expect(envoy).toMatchObject({ image: "envoyproxy/envoy:v1.31.1", resources: { limits: { memory: "128Mi" } }, env: [{ name: "ENVOY_LOG", value: "debug" }] });
    const db = objects.find((o) => o.kind === "StatefulSet") as unknown as { spec: { replicas: number; updateStrategy: unknown } };
    expect(db.spec.replicas).toBe(3);
    expect(db.spec.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } });
    expect(podSpec(objects, "StatefulSet", "db").containers[0]).toMatchObject({ image: "postgres:16.4", resources: { requests: { cpu: "500m" } } });
    const agent = objects.find((o) => o.kind === "DaemonSet") as unknown as { spec: { updateStrategy: unknown } };
    expect(agent.spec.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(podSpec(objects, "DaemonSet", "agent").containers[0]).toMatchObject({ image: "fluent/fluent-bit:3.1.4", env: [{ name: "LEVEL", value: "warn" }] });
  });

  it("carries the pass-through into the overlay unchanged", async () => {
    const objects = await build(`${header}workloads:
  worker: { image: ghcr.io/acme/app:1.3.0, replicas: 2 }
kustomize:
  namePrefix: eu-
  commonLabels: { team: shop }
  commonAnnotations: { owner: "shop@example.com" }
  images:
    - name: busybox
      newTag: "1.37"
  patches:
    - target: { kind: CronJob, name: cleanup }
      patch: |-
        - op: replace
          path: /spec/schedule
          value: "0 4 * * *"
`);
    expect(objects.every((o) => o.metadata.name.startsWith("eu-"))).toBe(true);
    expect(objects.every((o) => o.metadata.labels?.team === "shop" && o.metadata.annotations?.owner === "shop@example.com")).toBe(true);
    const cronJob = objects.find((o) => o.kind === "CronJob") as unknown as { spec: { schedule: string } };
    expect(cronJob.spec.schedule).toBe("0 4 * * *");
    expect(imagesOf(objects, "CronJob", "cleanup")).toEqual({ cleanup: "busybox:1.37" });
    const worker = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "eu-worker") as unknown as { spec: { replicas: number } };
    expect(worker.spec.replicas).toBe(2);
  });

  it("gives the same bytes for the same input", () => {
    const text = `${header}workloads:
  worker: { image: ghcr.io/acme/app:1.2.0, env: { B: "2", A: 1 } }
  api: { image: ghcr.io/acme/app:1.1.0, containers: { envoy: { env: { Y: y, X: x } } } }
kustomize: { components: [../../components/x], commonLabels: { a: b } }
`;
    const a = generateOverlay("prod", parsed(text).env, base);
    const b = generateOverlay("prod", parsed(text).env, base);
    expect(a).toEqual(b);
  });

  it.each([
    {
      what: "replicas on a DaemonSet",
      workloads: "  agent: { replicas: 2 }",
      want: 'environments/prod.yaml:4:12 workloads.agent.replicas: "agent" is a DaemonSet: it runs one pod per node and has no replicas',
    },
    {
      what: "maxSurge on a StatefulSet",
      workloads: "  db: { rollingUpdate: { maxSurge: 1 } }",
      want: 'environments/prod.yaml:4:26 workloads.db.rollingUpdate.maxSurge: "db" is a StatefulSet: its rolling update has maxUnavailable (and partition), no maxSurge',
    },
    {
      what: "a container the workload does not have",
      workloads: "  api: { containers: { nginx: { image: 'nginx:1' } } }",
      want: 'environments/prod.yaml:4:24 workloads.api.containers.nginx: Deployment "api" has no container named "nginx"; it has: api, envoy, migrate',
    },
    {
      what: "the main container under containers",
      workloads: "  api: { containers: { api: { env: { A: b } } } }",
      want: 'environments/prod.yaml:4:24 workloads.api.containers.api: "api" is the main container of "api": set its image, resources and env on the workload itself',
    },
    {
      what: "a kind the base does not have under that name",
      workloads: "  api: { kind: StatefulSet, replicas: 1 }",
      want: 'environments/prod.yaml:4:3 workloads.api: the base has no StatefulSet named "api"; known: agent, api, db, worker',
    },
    {
      what: "an image set both here and in the pass-through",
      workloads: "  db: { image: 'postgres:17.0' }\nkustomize:\n  images: [{ name: postgres, newTag: '17.1' }]",
      want: "environments/prod.yaml:4:9 workloads.db.image: kustomize.images also sets postgres: set it in one place",
    },
  ])("refuses $what, with its location", ({ workloads, want }) => {
    expect(problems(`${header}workloads:\n${workloads}\n`)).toEqual([want]);
  });

  it("refuses different tags of a shared image when something not in the file uses it too", () => {
    const withCron = { ...base, imageUses: [...base.imageUses, { kind: "CronJob", name: "report", container: "report", imageName: "ghcr.io/acme/app" }] };
    const text = `${header}workloads:\n  api: { image: ghcr.io/acme/app:1.1.0 }\n  worker: { image: ghcr.io/acme/app:1.2.0 }\n`;
    const env = parsed(text);
    expect(checkAgainstBase(env.file, text, env.doc, env.env, withCron).map(formatProblem)).toEqual([
      "environments/prod.yaml:4:10 workloads.api.image: workloads here run different tags of ghcr.io/acme/app, which CronJob report (container report) also uses without a tag in this file; kustodian would not know which tag it gets: set it here too",
    ]);
  });
});
