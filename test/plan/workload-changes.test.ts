import { beforeAll, describe, expect, it } from "vitest";
import type { HorizontalPodAutoscaler, KubeObject } from "../../src/k8s/manifest-types.ts";
import type { WorkloadChange } from "../../src/plan/workload-changes.ts";
import { workloadChanges } from "../../src/plan/workload-changes.ts";
import { renderBase, renderEditedBase, replaceIn, withDeployment, withObject } from "./fixtures.ts";

let base: KubeObject[];
beforeAll(() => {
  base = renderBase();
});

const container = (objects: KubeObject[], edit: (c: Record<string, unknown>) => void) =>
  withDeployment(objects, "wordpress", (deployment) => {
    const first = deployment.spec.template.spec.containers[0];
    if (first === undefined) throw new Error("no container");
    edit(first as unknown as Record<string, unknown>);
  });

/** What a change says, without the fields every wordpress change shares. */
const brief = (change: WorkloadChange) => {
  const { workload, namespace, ...rest } = change;
  return { ...rest, ...(workload === "wordpress" ? {} : { workload }), ...(namespace === "kube-example" ? {} : { namespace }) };
};

interface Case {
  name: string;
  head: (objects: KubeObject[]) => KubeObject[];
  expected: Array<ReturnType<typeof brief>>;
}

const deployment = "Deployment";
const cases: Case[] = [
  { name: "nothing changed", head: (o) => o, expected: [] },
  {
    name: "image bump",
    head: (o) => container(o, (c) => void (c.image = "wordpress:5.4.0-apache")),
    expected: [
      {
        kind: deployment,
        category: "image",
        field: "containers.wordpress.image",
        from: "wordpress:5.3.2-apache",
        to: "wordpress:5.4.0-apache",
        rolls: true,
      },
    ],
  },
  {
    name: "replicas scaled (no roll)",
    head: (o) => withDeployment(o, "wordpress", (d) => void (d.spec.replicas = 5)),
    expected: [{ kind: deployment, category: "replicas", field: "replicas", from: 3, to: 5, rolls: false }],
  },
  {
    name: "replicas left to the HPA",
    head: (o) => withDeployment(o, "wordpress", (d) => delete d.spec.replicas),
    expected: [{ kind: deployment, category: "replicas", field: "replicas", from: 3, to: null, rolls: false }],
  },
  {
    name: "autoscaling bounds and target",
    head: (o) =>
      withObject(o, "HorizontalPodAutoscaler", "wordpress", (object) => {
        const hpa = object as HorizontalPodAutoscaler;
        hpa.spec.minReplicas = 4;
        hpa.spec.maxReplicas = 10;
        const target = hpa.spec.metrics?.[0]?.resource?.target;
        if (target !== undefined) target.averageUtilization = 50;
      }),
    expected: [
      { kind: "HorizontalPodAutoscaler", category: "autoscaling", field: "autoscaling.minReplicas", from: 3, to: 4, rolls: false },
      { kind: "HorizontalPodAutoscaler", category: "autoscaling", field: "autoscaling.maxReplicas", from: 6, to: 10, rolls: false },
      { kind: "HorizontalPodAutoscaler", category: "autoscaling", field: "autoscaling.target.cpu", from: "20%", to: "50%", rolls: false },
    ],
  },
  {
    name: "autoscaler removed",
    head: (o) => o.filter((object) => object.kind !== "HorizontalPodAutoscaler"),
    expected: [{ kind: "HorizontalPodAutoscaler", category: "autoscaling", field: "autoscaling", from: "3..6", to: null, rolls: false }],
  },
  {
    name: "resources per container; the same quantity spelled differently is no change",
    head: (o) =>
      container(o, (c) => void (c.resources = { requests: { cpu: "0.2", memory: "200Mi" }, limits: { cpu: "200m", memory: "200Mi" } })),
    expected: [
      {
        kind: deployment,
        category: "resources",
        field: "containers.wordpress.resources.requests.memory",
        from: "100Mi",
        to: "200Mi",
        rolls: true,
      },
      {
        kind: deployment,
        category: "resources",
        field: "containers.wordpress.resources.limits.memory",
        from: "100Mi",
        to: "200Mi",
        rolls: true,
      },
    ],
  },
  {
    name: "readiness probe timing per field (defaults count as values)",
    head: (o) =>
      container(o, (c) => {
        c.readinessProbe = { tcpSocket: { port: 80 }, initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 3 };
      }),
    expected: [
      { kind: deployment, category: "probe", field: "containers.wordpress.readinessProbe.periodSeconds", from: 5, to: 10, rolls: true },
    ],
  },
  {
    name: "probe handler changed and liveness probe added",
    head: (o) =>
      container(o, (c) => {
        c.readinessProbe = {
          httpGet: { path: "/healthz", port: 80 },
          initialDelaySeconds: 5,
          periodSeconds: 5,
          timeoutSeconds: 1,
          failureThreshold: 3,
        };
        c.livenessProbe = { tcpSocket: { port: 80 }, initialDelaySeconds: 30 };
      }),
    expected: [
      {
        kind: deployment,
        category: "probe",
        field: "containers.wordpress.readinessProbe.handler",
        from: "tcpSocket :80",
        to: "httpGet /healthz :80",
        rolls: true,
      },
      {
        kind: deployment,
        category: "probe",
        field: "containers.wordpress.livenessProbe",
        from: null,
        to: "tcpSocket :80 (delay 30s, every 10s, timeout 1s, success 1, failure 3)",
        rolls: true,
      },
    ],
  },
  {
    name: "readiness probe removed",
    head: (o) => container(o, (c) => delete c.readinessProbe),
    expected: [
      {
        kind: deployment,
        category: "probe",
        field: "containers.wordpress.readinessProbe",
        from: "tcpSocket :80 (delay 5s, every 5s, timeout 1s, success 1, failure 3)",
        to: null,
        rolls: true,
      },
    ],
  },
  {
    name: "strategy, with defaults filled in",
    head: (o) => withDeployment(o, "wordpress", (d) => void (d.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } })),
    expected: [{ kind: deployment, category: "strategy", field: "strategy.maxUnavailable", from: 0, to: "25%", rolls: false }],
  },
  {
    name: "strategy type changed to Recreate",
    head: (o) => withDeployment(o, "wordpress", (d) => void (d.spec.strategy = { type: "Recreate" })),
    expected: [
      { kind: deployment, category: "strategy", field: "strategy.type", from: "RollingUpdate", to: "Recreate", rolls: false },
      { kind: deployment, category: "strategy", field: "strategy.maxSurge", from: 1, to: null, rolls: false },
      { kind: deployment, category: "strategy", field: "strategy.maxUnavailable", from: 0, to: null, rolls: false },
    ],
  },
  {
    name: "literal env value changed; a secret-looking one is masked",
    head: (o) =>
      container(o, (c) => {
        const env = c.env as Array<{ name: string; value?: string }>;
        const host = env.find((v) => v.name === "WORDPRESS_DB_HOST");
        if (host !== undefined) host.value = "mysql.db:3306";
        env.push({ name: "API_TOKEN", value: "tok-123-secret" });
      }),
    expected: [
      {
        kind: deployment,
        category: "env",
        field: "containers.wordpress.env.WORDPRESS_DB_HOST",
        from: "wordpress-mysql:3306",
        to: "mysql.db:3306",
        rolls: true,
      },
      { kind: deployment, category: "env", field: "containers.wordpress.env.API_TOKEN", from: null, to: "<masked>", rolls: true },
    ],
  },
  {
    name: "other pod template fields",
    head: (o) =>
      withDeployment(o, "wordpress", (d) => {
        d.spec.template.spec.terminationGracePeriodSeconds = 45;
        const first = d.spec.template.spec.containers[0] as unknown as Record<string, unknown>;
        first.args = ["--verbose"];
      }),
    expected: [
      { kind: deployment, category: "template", field: "containers.wordpress.args", from: null, to: '["--verbose"]', rolls: true },
      { kind: deployment, category: "template", field: "terminationGracePeriodSeconds", from: 30, to: 45, rolls: true },
    ],
  },
  {
    name: "workload added and removed",
    head: (o) =>
      withObject(o, "Deployment", "wordpress-mysql", (object) => {
        object.metadata.name = "mysql";
      }),
    expected: [
      { kind: deployment, category: "workload", field: "workload", from: null, to: "added", rolls: true, workload: "mysql" },
      { kind: deployment, category: "workload", field: "workload", from: null, to: "removed", rolls: false, workload: "wordpress-mysql" },
    ],
  },
];

describe("workloadChanges", () => {
  it.each(cases)("$name", ({ head, expected }) => {
    expect(workloadChanges(base, head(base)).map(brief)).toEqual(expected);
  });

  it("a configMapGenerator change names the keys and says the pods roll", () => {
    const head = renderEditedBase((files) =>
      files.write(
        "kustomization.yaml",
        replaceIn(files.read("kustomization.yaml"), "WORDPRESS_TABLE_PREFIX=wp_", "WORDPRESS_TABLE_PREFIX=blog_"),
      ),
    );
    const changes = workloadChanges(base, head);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      workload: "wordpress",
      kind: "ConfigMap",
      category: "config",
      field: "config.wordpress-config.WORDPRESS_TABLE_PREFIX",
      from: "wp_",
      to: "blog_",
      rolls: true,
    });
    expect(changes[0]?.note).toMatch(
      /^ConfigMap wordpress-config-\w{10} → wordpress-config-\w{10}: the content hash changed, so the pods roll$/,
    );
  });

  it("a config key added shows from null", () => {
    const head = renderEditedBase((files) =>
      files.write(
        "kustomization.yaml",
        replaceIn(
          files.read("kustomization.yaml"),
          "      - MYSQL_DATABASE=wordpress",
          "      - MYSQL_DATABASE=wordpress\n      - MYSQL_MAX_CONNECTIONS=200",
        ),
      ),
    );
    expect(workloadChanges(base, head).map(brief)).toEqual([
      expect.objectContaining({
        workload: "wordpress-mysql",
        kind: "ConfigMap",
        field: "config.wordpress-mysql-config.MYSQL_MAX_CONNECTIONS",
        from: null,
        to: "200",
        rolls: true,
      }),
    ]);
  });

  it("a ConfigMap without a content hash changes without rolling the pods", () => {
    const named = (objects: KubeObject[]) =>
      withObject(
        withDeployment(objects, "wordpress", (d) => {
          const ref = d.spec.template.spec.containers[0]?.envFrom?.[0]?.configMapRef;
          if (ref !== undefined) ref.name = "wordpress-settings";
        }),
        "ConfigMap",
        "wordpress-config-mgb724826k",
        (object) => void (object.metadata.name = "wordpress-settings"),
      );
    const before = named(base);
    const after = withObject(before, "ConfigMap", "wordpress-settings", (object) => void (object.data = { WORDPRESS_TABLE_PREFIX: "x_" }));
    expect(workloadChanges(before, after)).toEqual([
      expect.objectContaining({ field: "config.wordpress-settings.WORDPRESS_TABLE_PREFIX", from: "wp_", to: "x_", rolls: false }),
    ]);
    expect(workloadChanges(before, after)[0]?.note).toContain("running pods keep the old values until they restart");
  });

  it("a secretGenerator change shows which key changed, never its value", () => {
    const withGeneratedSecret = (password: string) =>
      renderEditedBase((files) => {
        files.write(
          "kustomization.yaml",
          replaceIn(files.read("kustomization.yaml"), "  - db-secret.yaml\n", "") +
            `secretGenerator:\n  - name: wordpress-db-pwd\n    literals:\n      - dbpwd=${password}\n`,
        );
      });
    const before = withGeneratedSecret("first-pa55word");
    const after = withGeneratedSecret("second-pa55word");
    const changes = workloadChanges(before, after);
    expect(changes.map(brief)).toEqual([
      expect.objectContaining({ kind: "Secret", field: "config.wordpress-db-pwd.dbpwd", from: "<masked>", to: "<changed>", rolls: true }),
      expect.objectContaining({
        workload: "wordpress-mysql",
        kind: "Secret",
        field: "config.wordpress-db-pwd.dbpwd",
        from: "<masked>",
        to: "<changed>",
        rolls: true,
      }),
    ]);
    const text = JSON.stringify(changes);
    for (const secret of [
      "first-pa55word",
      "second-pa55word",
      Buffer.from("first-pa55word").toString("base64"),
      Buffer.from("second-pa55word").toString("base64"),
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
