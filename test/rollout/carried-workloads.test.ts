// Which workloads a merge's watch takes over from earlier, still unverified rollouts in the same
// environment (issue 13): a merge that supersedes another's watch must not leave its workloads unwatched.
import { describe, expect, it } from "vitest";
import { carriedWorkloads } from "../../src/rollout/carried-workloads.ts";
import type { TrackedDeployment } from "../../src/rollout/record-deployments.ts";

const sha = (c: string) => c.repeat(40);
function deployment(id: number, merge: string, workloads: string[], status: TrackedDeployment["latestStatus"], environment = "prod") {
  return { id, environment, payload: { mergeSha: sha(merge), workloads }, latestStatus: status } as unknown as TrackedDeployment;
}
const watching = { state: "in_progress" as const, description: "Watching wordpress in wordpress-prod for aaaaaaa" };
const superseded = { state: "inactive" as const, description: "Superseded by bbbbbbb" };
const healthy = { state: "success" as const, description: "Healthy 40 s after the merge" };
const present = new Set(["wordpress", "wordpress-mysql", "cron"]);
const input = { environment: "prod", mergeSha: sha("c"), own: ["wordpress-mysql"], present };

describe("carriedWorkloads", () => {
  const cases = [
    {
      name: "an earlier rollout still watched: its workloads",
      existing: [deployment(1, "a", ["wordpress"], watching)],
      carried: ["wordpress"],
    },
    { name: "one already superseded: its workloads", existing: [deployment(1, "a", ["wordpress"], superseded)], carried: ["wordpress"] },
    {
      name: "a chain of unverified ones back to the last verdict; nothing before it",
      existing: [
        deployment(1, "x", ["cron"], superseded),
        deployment(2, "y", ["wordpress-mysql"], healthy),
        deployment(3, "a", ["wordpress"], superseded),
        deployment(4, "b", ["wordpress-mysql"], watching),
      ],
      carried: ["wordpress"],
    },
    { name: "the previous one concluded Healthy: nothing", existing: [deployment(1, "a", ["wordpress"], healthy)], carried: [] },
    { name: "another environment's: nothing", existing: [deployment(1, "a", ["wordpress"], watching, "staging")], carried: [] },
    { name: "a workload the merge removed: not watched", existing: [deployment(1, "a", ["gone"], watching)], carried: [] },
    { name: "this merge's own Deployment (a redelivery): nothing", existing: [deployment(1, "c", ["wordpress"], watching)], carried: [] },
    {
      name: "GitHub's own inactive (no description): a conclusion",
      existing: [deployment(1, "a", ["wordpress"], { state: "inactive", description: null })],
      carried: [],
    },
  ];
  it.each(cases)("$name", ({ existing, carried }) => {
    expect(carriedWorkloads(existing, input)).toEqual(carried);
  });
});
