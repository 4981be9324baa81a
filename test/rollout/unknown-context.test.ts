// A push whose environment names a kube context kustodian's kubeconfig lacks (issue 13): the
// Deployment ends in error naming the context, the environment file and the line, the log says
// the same with the contexts the kubeconfig has, and nothing is reverted.
import { afterEach, beforeEach, expect, it } from "vitest";
import { kubeConfigConnections } from "../../src/cluster/connections.ts";
import type { Log } from "../../src/log/log.ts";
import { startWorld, type World } from "./harness.ts";

let w: World;
const logged: { level: string; meta: Record<string, unknown>; message: string }[] = [];
const capture =
  (level: string) =>
  (meta: object, message: string): void => {
    logged.push({ level, meta: meta as Record<string, unknown>, message });
  };
const log: Log = { debug: capture("debug"), info: capture("info"), warn: capture("warn"), error: capture("error") };

beforeEach(async () => {
  logged.length = 0;
  // The simulator's kubeconfig has one context, kustodian-sim; the environments name prod, staging, dev.
  w = await startWorld({ log }, { connections: (sim) => kubeConfigConnections(sim.kubeConfig) });
});
afterEach(async () => {
  await w.stop();
});

it("a merge to an environment whose sync.context the kubeconfig lacks: an error naming context, file and line; a log line; no revert", async () => {
  const gh = w.h.github;
  const merged = await w.merge({
    number: 8,
    title: "Bump wordpress in prod",
    branch: "bump",
    edits: [["environments/prod.yaml", "image: wordpress:6.5.5-apache", "image: wordpress:6.6.2-apache"]],
  });
  const statuses = () => gh.deployments.find((d) => d.environment === "prod" && d.sha === merged.mergeSha)?.statuses ?? [];
  await w.run(() => statuses().at(-1)?.state === "error");

  expect(statuses().at(-1)).toMatchObject({
    state: "error",
    description: 'Watch failed: kube context "prod" (environments/prod.yaml:9 sync.context) is not one of kustodian\'s kube contexts',
  });
  const line = logged.find((l) => l.message === "an environment names a kube context the kubeconfig lacks");
  expect(line?.level).toBe("error");
  expect(line?.meta).toMatchObject({
    environment: "prod",
    file: "environments/prod.yaml",
    line: 9,
    context: "prod",
    known: ["kustodian-sim"],
    problem: 'environments/prod.yaml:9: sync.context names kube context "prod", which the kubeconfig does not have (it has: kustodian-sim)',
  });
  expect(w.revertCommits(merged.mergeSha)).toEqual([]);
  expect(gh.count("createCommitOnBranch")).toBe(0);
}, 120_000);
