import { describe, expect, it } from "vitest";
import { isMutableImage } from "../../src/plan/image-reference.ts";
import type { LabelSelector } from "../../src/k8s/manifest-types.ts";
import { unhashedName } from "../../src/plan/kustomize-names.ts";
import { selectorMatches } from "../../src/plan/label-selector.ts";
import { preStopHook } from "../../src/plan/pre-stop.ts";

describe("isMutableImage", () => {
  const cases: Array<[string, boolean]> = [
    ["wordpress:5.3.2-apache", false],
    ["nginx", true],
    ["nginx:latest", true],
    ["registry:5000/team/app", true],
    ["registry:5000/team/app:1.2", false],
    ["app@sha256:abc", false],
    ["app:latest@sha256:abc", false],
    ["Registry.Example.com/App:latest", true],
  ];
  it.each(cases)("%s", (image, mutable) => {
    expect(isMutableImage(image)).toBe(mutable);
  });
});

describe("unhashedName", () => {
  const cases: Array<[string, string, string]> = [
    ["ConfigMap", "wordpress-config-mgb724826k", "wordpress-config"],
    ["Secret", "db-t6bgk2727h", "db"],
    ["ConfigMap", "plain-config", "plain-config"],
    ["ConfigMap", "has-vowels-abcdefghij", "has-vowels-abcdefghij"],
    ["Deployment", "web-mgb724826k", "web-mgb724826k"],
  ];
  it.each(cases)("%s %s", (kind, name, expected) => {
    expect(unhashedName(kind, name)).toBe(expected);
  });
});

describe("selectorMatches", () => {
  const labels = { app: "wordpress", tier: "frontend" };
  const cases: Array<[string, LabelSelector, boolean]> = [
    ["empty selector selects all", {}, true],
    ["matchLabels subset", { matchLabels: { app: "wordpress" } }, true],
    ["matchLabels mismatch", { matchLabels: { app: "mysql" } }, false],
    ["In", { matchExpressions: [{ key: "app", operator: "In", values: ["wordpress", "x"] }] }, true],
    ["In missing key", { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }, false],
    ["NotIn", { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["mysql"] }] }, true],
    ["NotIn hit", { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["frontend"] }] }, false],
    ["Exists", { matchExpressions: [{ key: "tier", operator: "Exists" }] }, true],
    ["DoesNotExist", { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, false],
  ];
  it.each(cases)("%s", (_name, selector, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });
});

describe("preStopHook", () => {
  const cases: Array<[string, Parameters<typeof preStopHook>[0], ReturnType<typeof preStopHook>]> = [
    ["none", { name: "c" }, { kind: "none" }],
    [
      "seed: bash -c sleep 20",
      { name: "c", lifecycle: { preStop: { exec: { command: ["/bin/bash", "-c", "sleep 20"] } } } },
      { kind: "sleep", sleepSeconds: 20 },
    ],
    ["sleep action", { name: "c", lifecycle: { preStop: { sleep: { seconds: 7 } } } }, { kind: "sleep", sleepSeconds: 7 }],
    [
      "sleep then command",
      { name: "c", lifecycle: { preStop: { exec: { command: ["sh", "-c", "sleep 5 && nginx -s quit; sleep 1m"] } } } },
      { kind: "sleep", sleepSeconds: 65 },
    ],
    ["exec without sleep", { name: "c", lifecycle: { preStop: { exec: { command: ["/drain.sh"] } } } }, { kind: "opaque" }],
    ["httpGet", { name: "c", lifecycle: { preStop: { httpGet: { path: "/drain", port: 8080 } } } }, { kind: "opaque" }],
  ];
  it.each(cases)("%s", (_name, container, expected) => {
    expect(preStopHook(container)).toEqual(expected);
  });
});
