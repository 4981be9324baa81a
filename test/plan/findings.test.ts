import { beforeAll, describe, expect, it } from "vitest";
import type { FindingId } from "../../src/environments/finding-policy.ts";
import { FindingPolicy, findingIds } from "../../src/environments/finding-policy.ts";
import { findingRules } from "../../src/plan/finding-rules.ts";
import type { FindingsOptions } from "../../src/plan/findings.ts";
import { findings } from "../../src/plan/findings.ts";
import type { Container, Deployment, HorizontalPodAutoscaler, KubeObject, PodDisruptionBudget } from "../../src/k8s/manifest-types.ts";
import { renderBase, withDeployment, withObject } from "./fixtures.ts";

let base: KubeObject[];
beforeAll(() => {
  base = renderBase();
});

const wordpress = (edit: (deployment: Deployment, container: Container) => void) => (objects: KubeObject[]) =>
  withDeployment(objects, "wordpress", (deployment) => {
    const container = deployment.spec.template.spec.containers[0];
    if (container === undefined) throw new Error("wordpress has no container");
    edit(deployment, container);
  });
const pdb = (edit: (pdb: PodDisruptionBudget) => void) => (objects: KubeObject[]) =>
  withObject(objects, "PodDisruptionBudget", "wordpress-pdb", (object) => edit(object as PodDisruptionBudget));
const hpa = (edit: (hpa: HorizontalPodAutoscaler) => void) => (objects: KubeObject[]) =>
  withObject(objects, "HorizontalPodAutoscaler", "wordpress", (object) => edit(object as HorizontalPodAutoscaler));
const without = (kind: string, name: string) => (objects: KubeObject[]) =>
  objects.filter((object) => !(object.kind === kind && object.metadata.name === name));
const pipe =
  (...steps: Array<(objects: KubeObject[]) => KubeObject[]>) =>
  (objects: KubeObject[]) =>
    steps.reduce((current, step) => step(current), objects);
/** A single wordpress replica that no autoscaler grows: spreading and budgets no longer apply. */
const singleReplica = pipe(
  without("HorizontalPodAutoscaler", "wordpress"),
  wordpress((d) => void (d.spec.replicas = 1)),
);

interface Case {
  name: string;
  head: (objects: KubeObject[]) => KubeObject[];
  /** The base side for the comparisons; the rendered base when unset. */
  options?: Partial<FindingsOptions> & { compareWithBase?: boolean };
  fires?: { id: FindingId; severity: string; workload?: string; message: string };
  absent?: FindingId;
}

const cases: Case[] = [
  // no-readiness-probe
  {
    name: "readinessProbe deleted",
    head: wordpress((_d, c) => delete c.readinessProbe),
    fires: { id: "no-readiness-probe", severity: "blocking", message: "container wordpress has no readinessProbe" },
  },
  { name: "base has readiness probes", head: (o) => o, absent: "no-readiness-probe" },
  // qos
  {
    name: "no resources at all",
    head: wordpress((_d, c) => delete c.resources),
    fires: {
      id: "qos-best-effort",
      severity: "warning",
      message: "QoS class BestEffort: no container sets cpu or memory requests or limits",
    },
  },
  {
    name: "cpu request below its limit",
    head: wordpress(
      (_d, c) => void (c.resources = { requests: { cpu: "100m", memory: "100Mi" }, limits: { cpu: "200m", memory: "100Mi" } }),
    ),
    fires: {
      id: "qos-burstable",
      severity: "warning",
      message: "QoS class Burstable: container wordpress requests 100m cpu but limits it to 200m",
    },
  },
  {
    name: "no memory limit",
    head: wordpress((_d, c) => void (c.resources = { requests: { cpu: "200m" }, limits: { cpu: "200m" } })),
    fires: { id: "qos-burstable", severity: "warning", message: "QoS class Burstable: container wordpress sets no memory limit" },
  },
  {
    name: "only limits set: requests default to them, Guaranteed",
    head: wordpress((_d, c) => delete c.resources?.requests),
    absent: "qos-burstable",
  },
  { name: "base is Guaranteed", head: (o) => o, absent: "qos-best-effort" },
  // anti-affinity
  {
    name: "affinity deleted",
    head: wordpress((d) => delete d.spec.template.spec.affinity),
    fires: {
      id: "no-pod-anti-affinity",
      severity: "warning",
      message: "up to 6 replicas and no pod anti-affinity for its own pods: they may all run on one node",
    },
  },
  {
    name: "anti-affinity that selects other pods",
    head: wordpress((d) => {
      const term = d.spec.template.spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.podAffinityTerm;
      if (term !== undefined) term.labelSelector = { matchLabels: { app: "mysql" } };
    }),
    fires: {
      id: "no-pod-anti-affinity",
      severity: "warning",
      message: "up to 6 replicas and no pod anti-affinity for its own pods: they may all run on one node",
    },
  },
  {
    name: "topology spread constraint instead of anti-affinity",
    head: wordpress((d) => {
      delete d.spec.template.spec.affinity;
      d.spec.template.spec.topologySpreadConstraints = [
        {
          maxSkew: 1,
          topologyKey: "kubernetes.io/hostname",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: { app: "wordpress" } },
        },
      ];
    }),
    absent: "no-pod-anti-affinity",
  },
  {
    name: "one replica needs no spreading",
    head: pipe(
      singleReplica,
      wordpress((d) => delete d.spec.template.spec.affinity),
    ),
    absent: "no-pod-anti-affinity",
  },
  { name: "base spreads wordpress", head: (o) => o, absent: "no-pod-anti-affinity" },
  // no-pdb
  {
    name: "PDB deleted",
    head: without("PodDisruptionBudget", "wordpress-pdb"),
    fires: { id: "no-pdb", severity: "warning", message: "no PodDisruptionBudget selects its pods" },
  },
  {
    name: "PDB selecting other pods",
    head: pdb((p) => void (p.spec.selector = { matchLabels: { app: "wordpress", tier: "mysql" } })),
    fires: { id: "no-pdb", severity: "warning", message: "no PodDisruptionBudget selects its pods" },
  },
  { name: "one replica needs no PDB", head: pipe(singleReplica, without("PodDisruptionBudget", "wordpress-pdb")), absent: "no-pdb" },
  { name: "base has a PDB", head: (o) => o, absent: "no-pdb" },
  // pdb-blocks-drain
  {
    name: "PDB minAvailable equal to the autoscaler's minimum",
    head: pdb((p) => void (p.spec = { minAvailable: 3, selector: p.spec.selector ?? {} })),
    fires: {
      id: "pdb-blocks-drain",
      severity: "warning",
      message: "PodDisruptionBudget wordpress-pdb (minAvailable 3) allows no eviction with 3 pods: node drains will block",
    },
  },
  {
    name: "PDB maxUnavailable 0",
    head: pdb((p) => void (p.spec.maxUnavailable = 0)),
    fires: {
      id: "pdb-blocks-drain",
      severity: "warning",
      message: "PodDisruptionBudget wordpress-pdb (maxUnavailable 0) allows no eviction with 3 pods: node drains will block",
    },
  },
  {
    name: "PDB minAvailable 100%",
    head: pdb((p) => void (p.spec = { minAvailable: "100%", selector: p.spec.selector ?? {} })),
    fires: {
      id: "pdb-blocks-drain",
      severity: "warning",
      message: "PodDisruptionBudget wordpress-pdb (minAvailable 100%) allows no eviction with 3 pods: node drains will block",
    },
  },
  {
    name: "PDB minAvailable 2 of 3 allows one eviction",
    head: pdb((p) => void (p.spec = { minAvailable: 2, selector: p.spec.selector ?? {} })),
    absent: "pdb-blocks-drain",
  },
  // rollout-exceeds-pdb
  {
    name: "rollout may take 2 of 3 down, PDB promises 2",
    head: wordpress((d) => void (d.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 2 } })),
    fires: {
      id: "rollout-exceeds-pdb",
      severity: "warning",
      message: "PodDisruptionBudget wordpress-pdb (maxUnavailable 1) promises 2 available, but the rollout keeps only 1 available",
    },
  },
  {
    name: "Recreate under a PDB",
    head: wordpress((d) => void (d.spec.strategy = { type: "Recreate" })),
    fires: {
      id: "rollout-exceeds-pdb",
      severity: "warning",
      message: "PodDisruptionBudget wordpress-pdb (maxUnavailable 1) promises 2 available, but Recreate stops every pod",
    },
  },
  {
    name: "maxUnavailable 1 matches the PDB",
    head: wordpress((d) => void (d.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } })),
    absent: "rollout-exceeds-pdb",
  },
  // no-prestop-drain
  {
    name: "preStop deleted",
    head: wordpress((_d, c) => delete c.lifecycle),
    fires: {
      id: "no-prestop-drain",
      severity: "warning",
      message: "Service wordpress routes to its pods and no container has a preStop hook to drain",
    },
  },
  {
    name: "no Service routes to the pods",
    head: pipe(
      without("Service", "wordpress"),
      wordpress((_d, c) => delete c.lifecycle),
    ),
    absent: "no-prestop-drain",
  },
  { name: "Recreate accepts downtime (mysql in base)", head: (o) => o, absent: "no-prestop-drain" },
  // prestop-exceeds-grace
  {
    name: "preStop sleep equal to the default grace period",
    head: wordpress((d, c) => {
      delete d.spec.template.spec.terminationGracePeriodSeconds;
      c.lifecycle = { preStop: { exec: { command: ["/bin/bash", "-c", "sleep 30"] } } };
    }),
    fires: {
      id: "prestop-exceeds-grace",
      severity: "blocking",
      message: "container wordpress sleeps 30s in preStop, terminationGracePeriodSeconds is 30s",
    },
  },
  {
    name: "preStop sleep action longer than the grace period",
    head: wordpress((_d, c) => void (c.lifecycle = { preStop: { sleep: { seconds: 45 } } })),
    fires: {
      id: "prestop-exceeds-grace",
      severity: "blocking",
      message: "container wordpress sleeps 45s in preStop, terminationGracePeriodSeconds is 30s",
    },
  },
  {
    name: "a longer grace period fits the sleep",
    head: wordpress((d, c) => {
      d.spec.template.spec.terminationGracePeriodSeconds = 60;
      c.lifecycle = { preStop: { sleep: { seconds: 45 } } };
    }),
    absent: "prestop-exceeds-grace",
  },
  // HPA
  {
    name: "HPA min above max",
    head: hpa((h) => void (h.spec.minReplicas = 7)),
    fires: {
      id: "hpa-min-exceeds-max",
      severity: "blocking",
      message: "HorizontalPodAutoscaler wordpress has minReplicas 7 > maxReplicas 6",
    },
  },
  { name: "base HPA 3..6", head: (o) => o, absent: "hpa-min-exceeds-max" },
  {
    name: "replicas above the HPA maximum",
    head: wordpress((d) => void (d.spec.replicas = 8)),
    fires: {
      id: "replicas-outside-hpa-bounds",
      severity: "warning",
      message: "replicas 8 is outside HorizontalPodAutoscaler wordpress's bounds 3..6",
    },
  },
  {
    name: "replicas below the HPA minimum",
    head: wordpress((d) => void (d.spec.replicas = 2)),
    fires: {
      id: "replicas-outside-hpa-bounds",
      severity: "warning",
      message: "replicas 2 is outside HorizontalPodAutoscaler wordpress's bounds 3..6",
    },
  },
  { name: "base replicas inside the bounds", head: (o) => o, absent: "replicas-outside-hpa-bounds" },
  {
    name: "base sets replicas under its HPA",
    head: (o) => o,
    fires: {
      id: "replicas-set-under-hpa",
      severity: "note",
      message: "replicas 3 is set, but HorizontalPodAutoscaler wordpress (3..6) owns the count",
    },
  },
  { name: "replicas left to the HPA", head: wordpress((d) => delete d.spec.replicas), absent: "replicas-set-under-hpa" },
  { name: "replicas without an HPA", head: without("HorizontalPodAutoscaler", "wordpress"), absent: "replicas-set-under-hpa" },
  // plaintext-secret-env
  {
    name: "password as a literal env value",
    head: wordpress((_d, c) => {
      const variable = c.env?.find((v) => v.name === "WORDPRESS_DB_PASSWORD");
      if (variable !== undefined) {
        delete variable.valueFrom;
        variable.value = "s3cr3t-literal";
      }
    }),
    fires: {
      id: "plaintext-secret-env",
      severity: "warning",
      message: "container wordpress sets WORDPRESS_DB_PASSWORD to a literal value instead of a secretKeyRef",
    },
  },
  {
    name: "API key in an init container",
    head: wordpress(
      (d) =>
        void (d.spec.template.spec.initContainers = [{ name: "init", image: "busybox:1.36", env: [{ name: "api_key", value: "abc" }] }]),
    ),
    fires: {
      id: "plaintext-secret-env",
      severity: "warning",
      message: "container init sets api_key to a literal value instead of a secretKeyRef",
    },
  },
  { name: "literal user name and host are fine (base)", head: (o) => o, absent: "plaintext-secret-env" },
  // mutable-image-tag
  {
    name: "image latest",
    head: wordpress((_d, c) => void (c.image = "wordpress:latest")),
    fires: { id: "mutable-image-tag", severity: "warning", message: "container wordpress runs wordpress:latest, a mutable tag" },
  },
  {
    name: "image without tag",
    head: wordpress((_d, c) => void (c.image = "registry.example.com:5000/wordpress")),
    fires: {
      id: "mutable-image-tag",
      severity: "warning",
      message: "container wordpress runs registry.example.com:5000/wordpress, a mutable tag",
    },
  },
  { name: "image pinned by digest", head: wordpress((_d, c) => void (c.image = "wordpress@sha256:0123")), absent: "mutable-image-tag" },
  // invalid-rollout-strategy
  {
    name: "maxSurge and maxUnavailable both 0",
    head: wordpress((d) => void (d.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } })),
    fires: {
      id: "invalid-rollout-strategy",
      severity: "blocking",
      message: "maxSurge and maxUnavailable may not both be 0: the rollout could never make progress",
    },
  },
  { name: "base strategy is valid", head: (o) => o, absent: "invalid-rollout-strategy" },
  // probe-removed (production, compared with base)
  {
    name: "readiness probe removed in production",
    head: wordpress((_d, c) => delete c.readinessProbe),
    options: { production: true, compareWithBase: true },
    fires: { id: "probe-removed", severity: "blocking", message: "readinessProbe removed from container wordpress" },
  },
  {
    name: "readiness probe removed outside production",
    head: wordpress((_d, c) => delete c.readinessProbe),
    options: { production: false, compareWithBase: true },
    absent: "probe-removed",
  },
  {
    name: "probe removed but nothing to compare with",
    head: wordpress((_d, c) => delete c.readinessProbe),
    options: { production: true },
    absent: "probe-removed",
  },
  // replicas-below-pdb (production, compared with base)
  {
    name: "replicas lowered to the PDB's minAvailable in production",
    head: pipe(
      without("HorizontalPodAutoscaler", "wordpress"),
      pdb((p) => void (p.spec = { minAvailable: 2, selector: p.spec.selector ?? {} })),
      wordpress((d) => void (d.spec.replicas = 2)),
    ),
    options: { production: true, compareWithBase: true },
    fires: {
      id: "replicas-below-pdb",
      severity: "blocking",
      message: "replicas lowered from 3 to 2; PodDisruptionBudget wordpress-pdb keeps 2 available (minAvailable 2)",
    },
  },
  {
    name: "replicas lowered but the PDB still allows an eviction",
    head: pipe(
      without("HorizontalPodAutoscaler", "wordpress"),
      wordpress((d) => void (d.spec.replicas = 2)),
    ),
    options: { production: true, compareWithBase: true },
    absent: "replicas-below-pdb",
  },
  {
    name: "replicas lowered below the PDB outside production",
    head: pipe(
      pdb((p) => void (p.spec = { minAvailable: 2, selector: p.spec.selector ?? {} })),
      wordpress((d) => void (d.spec.replicas = 2)),
    ),
    options: { production: false, compareWithBase: true },
    absent: "replicas-below-pdb",
  },
  {
    name: "scaled to zero on purpose",
    head: pipe(
      pdb((p) => void (p.spec = { minAvailable: 2, selector: p.spec.selector ?? {} })),
      wordpress((d) => void (d.spec.replicas = 0)),
    ),
    options: { production: true, compareWithBase: true },
    absent: "replicas-below-pdb",
  },
];

describe("findings", () => {
  it.each(cases)("$name", ({ head, options, fires, absent }) => {
    const { compareWithBase, ...rest } = options ?? {};
    const result = findings(head(base), {
      environment: "production",
      production: false,
      ...(compareWithBase === true ? { baseObjects: base } : {}),
      ...rest,
    });
    if (fires !== undefined) {
      expect(result).toContainEqual({
        id: fires.id,
        severity: fires.severity,
        environment: "production",
        workload: fires.workload ?? "wordpress",
        kind: "Deployment",
        namespace: "kube-example",
        message: fires.message,
        why: findingRules.find((rule) => rule.id === fires.id)?.why,
      });
    }
    if (absent !== undefined) expect(result.map((finding) => finding.id)).not.toContain(absent);
  });

  it("every finding id has a case where it fires and one where it does not", () => {
    const firing = new Set(cases.flatMap((c) => (c.fires === undefined ? [] : [c.fires.id])));
    const silent = new Set(cases.flatMap((c) => (c.absent === undefined ? [] : [c.absent])));
    // held-image reads the environment file, not the rendered objects: the plan tests cover it.
    const fromObjects = findingIds.filter((id) => id !== "held-image");
    expect([...firing].sort()).toEqual([...fromObjects].sort());
    expect([...silent].sort()).toEqual([...fromObjects].sort());
  });

  it("the rendered base has nothing blocking or warning, only the replicas-under-HPA note", () => {
    const result = findings(base, { environment: "staging", production: true, baseObjects: base });
    expect(result.map((finding) => [finding.severity, finding.id, finding.workload])).toEqual([
      ["note", "replicas-set-under-hpa", "wordpress"],
    ]);
  });

  it("never puts a secret value in a message", () => {
    const head = wordpress((_d, c) => c.env?.push({ name: "DB_TOKEN", value: "tok-9f8e7d" }))(base);
    expect(JSON.stringify(findings(head, { environment: "e", production: true }))).not.toContain("tok-9f8e7d");
  });

  it("orders findings blocking first", () => {
    const head = pipe(
      wordpress((_d, c) => {
        delete c.readinessProbe;
        c.image = "wordpress";
      }),
    )(base);
    const severities = findings(head, { environment: "e", production: false }).map((finding) => finding.severity);
    expect(severities).toEqual(["blocking", "warning", "note"]);
  });

  describe("severity policy", () => {
    const head = () =>
      wordpress((_d, c) => {
        delete c.readinessProbe;
        c.image = "wordpress:latest";
      })(base);
    const policyCases: Array<{ name: string; policy: FindingPolicy; expected: Array<[string, string]> }> = [
      {
        name: "defaults",
        policy: {},
        expected: [
          ["no-readiness-probe", "blocking"],
          ["mutable-image-tag", "warning"],
          ["replicas-set-under-hpa", "note"],
        ],
      },
      {
        name: "demote and silence",
        policy: { "no-readiness-probe": "warning", "replicas-set-under-hpa": "off" },
        expected: [
          ["no-readiness-probe", "warning"],
          ["mutable-image-tag", "warning"],
        ],
      },
      {
        name: "promote a warning to blocking",
        policy: { "mutable-image-tag": "blocking" },
        expected: [
          ["no-readiness-probe", "blocking"],
          ["mutable-image-tag", "blocking"],
          ["replicas-set-under-hpa", "note"],
        ],
      },
    ];
    it.each(policyCases)("$name", ({ policy, expected }) => {
      const result = findings(head(), { environment: "e", production: false, policy });
      expect(result.map((finding) => [finding.id, finding.severity])).toEqual(expected);
    });

    it("validates policies written by people: known ids, known severities", () => {
      expect(FindingPolicy.safeParse({ "no-pdb": "blocking", "mutable-image-tag": "off" }).success).toBe(true);
      expect(FindingPolicy.safeParse({ "no-pbd": "blocking" }).success).toBe(false);
      expect(FindingPolicy.safeParse({ "no-pdb": "fatal" }).success).toBe(false);
    });

    it("lists every rule once with a default severity", () => {
      expect(new Set(findingIds).size).toBe(findingRules.length);
      for (const rule of findingRules) expect(["blocking", "warning", "note"]).toContain(rule.defaultSeverity);
    });
  });
});
