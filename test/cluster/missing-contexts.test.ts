// Startup (issue 13): every context KUSTODIAN_CONTEXTS lists must be in the kubeconfig.
import { describe, expect, it } from "vitest";
import { missingContextProblems } from "../../src/cluster/connections.ts";

describe("missingContextProblems", () => {
  const kubeConfig = { contexts: ["prod", "staging"], source: "KUBECONFIG=/etc/kustodian/kubeconfig", inCluster: false };
  it.each([
    { wanted: undefined, problems: [] },
    { wanted: ["prod", "staging"], problems: [] },
    {
      wanted: ["prod", "prod-eu", "dev"],
      problems: [
        'KUSTODIAN_CONTEXTS names kube context "prod-eu", which the kubeconfig (KUBECONFIG=/etc/kustodian/kubeconfig) does not have (it has: prod, staging)',
        'KUSTODIAN_CONTEXTS names kube context "dev", which the kubeconfig (KUBECONFIG=/etc/kustodian/kubeconfig) does not have (it has: prod, staging)',
      ],
    },
  ])("$wanted", ({ wanted, problems }) => {
    expect(missingContextProblems(wanted, kubeConfig)).toEqual(problems);
  });
  it("in the cluster every name is this cluster: nothing is missing", () => {
    expect(
      missingContextProblems(["prod-eu"], { contexts: ["inClusterContext"], source: "in-cluster service account", inCluster: true }),
    ).toEqual([]);
  });
});
