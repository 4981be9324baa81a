import { describe, expect, it } from "vitest";
import { contextLocation, unknownContextDescription, unknownContextMessage } from "../../src/environments/context-location.ts";

describe("contextLocation: where an environment file names its kube context", () => {
  it.each([
    { text: "namespace: a\nsync:\n  tool: argocd\n  application: a\n  context: prod-eu\n", expected: { context: "prod-eu", line: 5 } },
    { text: "# c\nsync: { tool: flux, kustomization: k, context: \"prod\" }\n", expected: { context: "prod", line: 2 } },
    { text: "sync:\n  tool: argocd\n", expected: undefined },
    { text: "sync: [\n", expected: undefined },
    { text: "- a\n", expected: undefined },
  ])("$text", ({ text, expected }) => {
    expect(contextLocation(text)).toEqual(expected);
  });
});

describe("the problem, as people read it", () => {
  const where = { file: "environments/prod.yaml", line: 9, context: "prod-eu" };
  it("names file, line and context, and what the kubeconfig has", () => {
    expect(unknownContextMessage({ ...where, known: ["prod", "staging"], source: "/etc/kustodian/kubeconfig" })).toBe(
      'environments/prod.yaml:9: sync.context names kube context "prod-eu", which the kubeconfig (/etc/kustodian/kubeconfig) does not have (it has: prod, staging)',
    );
    expect(unknownContextMessage({ ...where, line: undefined, known: [] })).toBe(
      'environments/prod.yaml: sync.context names kube context "prod-eu", which the kubeconfig does not have (it has: none)',
    );
  });
  it("fits a Deployment status (140 characters) after \"Watch failed: \"", () => {
    expect(unknownContextDescription(where)).toBe('kube context "prod-eu" (environments/prod.yaml:9 sync.context) is not one of kustodian\'s kube contexts');
    expect(unknownContextDescription(where).length).toBeLessThan(140 - "Watch failed: ".length);
  });
});
