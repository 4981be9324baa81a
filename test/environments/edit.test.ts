import { describe, expect, it } from "vitest";
import { editEnvironmentFile, EnvironmentEditError } from "../../src/environments/edit.ts";

const original = `# Production: Argo CD syncs overlays/prod.
namespace: wordpress-prod
production: true
sync:
  tool: argocd
  application: wordpress-prod
  context: prod
workloads:
  wordpress:
    image: wordpress:6.5.5-apache   # pinned until the plugin update
    replicas: 3 # seed 000: three replicas
    resources:
      requests: { cpu: 200m, memory: 100Mi }
`;

describe("editing environment files", () => {
  it("changes only the edited value and keeps every comment", () => {
    const next = editEnvironmentFile("environments/prod.yaml", original, [{ path: ["workloads", "wordpress", "replicas"], value: 6 }]);
    expect(next).toBe(original.replace("replicas: 3 #", "replicas: 6 #"));
  });

  it("a no-op edit gives back the same bytes", () => {
    const next = editEnvironmentFile("environments/prod.yaml", original, [{ path: ["workloads", "wordpress", "replicas"], value: 3 }]);
    expect(next).toBe(original);
  });

  it("adds a missing map in the style of its parent", () => {
    const next = editEnvironmentFile("environments/prod.yaml", original, [
      { path: ["workloads", "wordpress", "autoscaling", "minReplicas"], value: 3 },
      { path: ["workloads", "wordpress", "autoscaling", "maxReplicas"], value: 8 },
    ]);
    expect(next).toContain("    autoscaling:\n      minReplicas: 3\n      maxReplicas: 8\n");
    expect(next).toContain("# seed 000: three replicas");
  });

  it("refuses an edit that would make the file invalid, naming the field", () => {
    expect(() => editEnvironmentFile("environments/prod.yaml", original, [{ path: ["workloads", "wordpress", "replicas"], value: -2 }])).toThrow(
      new EnvironmentEditError(
        "the change would make environments/prod.yaml invalid: environments/prod.yaml:11:15 workloads.wordpress.replicas: expected an integer >= 0, got -2",
      ),
    );
  });
});
