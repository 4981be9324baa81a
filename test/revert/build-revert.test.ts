import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { buildRevert, revertBranchName, type EnvironmentFileEdit, type RevertInput } from "../../src/revert/build-revert.ts";
import { isRevertOf, parseRevertTrailers } from "../../src/revert/trailers.ts";
import { repoRoot } from "../helpers/repo-root.ts";

const mergeSha = "a".repeat(40);
const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");

// The sample repository's prod and staging files, as the tree reads return them.
const before = new Map([
  ["environments/prod.yaml", read("environments/prod.yaml")],
  ["overlays/prod/kustomization.yaml", read("overlays/prod/kustomization.yaml")],
  ["environments/staging.yaml", read("environments/staging.yaml")],
  ["overlays/staging/kustomization.yaml", read("overlays/staging/kustomization.yaml")],
  ["base/wordpress-deployment.yaml", read("base/wordpress-deployment.yaml")],
]);

/** A merge that bumps wordpress in prod and staging (environment file and regenerated overlay). */
function bumped(files: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map(files);
  for (const env of ["prod", "staging"]) {
    out.set(
      `environments/${env}.yaml`,
      out.get(`environments/${env}.yaml`)!.replace(/image: wordpress:[^\n]+/, "image: wordpress:6.7.1-apache"),
    );
    out.set(
      `overlays/${env}/kustomization.yaml`,
      out.get(`overlays/${env}/kustomization.yaml`)!.replace(/newTag: [0-9.]+-apache/, "newTag: 6.7.1-apache"),
    );
  }
  return out;
}

const merged = bumped(before);

function input(overrides: Partial<RevertInput> = {}): RevertInput {
  return {
    environment: "prod",
    before,
    merged,
    head: merged,
    mergeSha,
    pullRequest: { number: 7, title: "Bump wordpress to 6.7.1" },
    reason: "readiness not reached within 16 s",
    ...overrides,
  };
}

describe("buildRevert", () => {
  it("restores the environment file and its overlay byte for byte, and nothing of other environments", () => {
    const plan = buildRevert(input());
    expect(plan.kind).toBe("commit");
    if (plan.kind === "nothing") throw new Error("unreachable");
    expect(plan.changes).toEqual([
      { path: "environments/prod.yaml", after: before.get("environments/prod.yaml") },
      { path: "overlays/prod/kustomization.yaml", after: before.get("overlays/prod/kustomization.yaml") },
    ]);
    // The person's comments in the environment file are back, exactly.
    expect(plan.changes[0]!.after).toContain("# Seed 000: 3..6 replicas at 20% CPU.");
    expect(plan.changedSinceMerge).toEqual([]);
  });

  it("keeps bytes a YAML round trip would change: CRLF line ends, no final newline, odd spacing", () => {
    const odd = "namespace:   wordpress-prod\r\n# keep me\r\nworkloads: {wordpress: {image: 'wordpress:6.5.5-apache'}}";
    const b = new Map([["environments/prod.yaml", odd]]);
    const m = new Map([["environments/prod.yaml", odd.replace("6.5.5", "6.7.1")]]);
    const plan = buildRevert(input({ before: b, merged: m, head: m }));
    if (plan.kind === "nothing") throw new Error("expected a revert");
    expect(plan.changes).toEqual([{ path: "environments/prod.yaml", after: odd }]);
  });

  it("deletes files the merge added and recreates files the merge deleted", () => {
    const m = new Map(merged);
    m.set("overlays/prod/extra-patch.yaml", "kind: Patch\n");
    m.delete("overlays/prod/kustomization.yaml");
    const plan = buildRevert(input({ merged: m, head: m }));
    if (plan.kind === "nothing") throw new Error("expected a revert");
    expect(plan.changes).toEqual([
      { path: "environments/prod.yaml", after: before.get("environments/prod.yaml") },
      { path: "overlays/prod/extra-patch.yaml" },
      { path: "overlays/prod/kustomization.yaml", after: before.get("overlays/prod/kustomization.yaml") },
    ]);
  });

  it("a merge that added the environment is reverted by deleting its files", () => {
    const b = new Map([...before].filter(([p]) => !p.includes("prod")));
    const plan = buildRevert(input({ before: b }));
    if (plan.kind === "nothing") throw new Error("expected a revert");
    expect(plan.changes).toEqual([{ path: "environments/prod.yaml" }, { path: "overlays/prod/kustomization.yaml" }]);
  });

  it("files changed on the branch after the merge make it a pull request, naming them", () => {
    const head = new Map(merged);
    head.set("environments/prod.yaml", merged.get("environments/prod.yaml")!.replace("replicas: 3", "replicas: 4"));
    // A later change to another environment is no conflict for prod.
    head.set("environments/staging.yaml", "changed later\n");
    const plan = buildRevert(input({ head }));
    if (plan.kind === "nothing") throw new Error("expected a revert");
    expect(plan.kind).toBe("pull-request");
    expect(plan.changedSinceMerge).toEqual(["environments/prod.yaml"]);
    expect(plan.changes.map((c) => c.path)).toEqual(["environments/prod.yaml", "overlays/prod/kustomization.yaml"]);
    expect(plan.changes[0]!.after).toBe(before.get("environments/prod.yaml"));
    expect(plan.body).toContain(
      "These files changed on the branch after the merge, and restoring them undoes that later change too:\n- environments/prod.yaml",
    );

    const staging = buildRevert(input({ head, environment: "staging" }));
    expect(staging.kind).toBe("pull-request");
    expect(
      buildRevert(input({ head: new Map([...head].filter(([p]) => p !== "environments/staging.yaml")), environment: "staging" })).kind,
    ).toBe("pull-request");
  });

  it("nothing to do when the merge did not touch the environment, or the head already has the pre-merge files", () => {
    expect(buildRevert(input({ environment: "dev" }))).toEqual({ kind: "nothing", why: "merge-changed-nothing" });
    expect(buildRevert(input({ head: before }))).toEqual({ kind: "nothing", why: "already-restored" });
    // Reverted by hand while other environments moved on: still nothing for prod.
    const head = new Map(before).set("environments/staging.yaml", "later\n");
    expect(buildRevert(input({ head }))).toEqual({ kind: "nothing", why: "already-restored" });
  });

  it("the message: `Revert <PR title> in <env>: <reason>`, the evidence, and trailers naming the merge", () => {
    const plan = buildRevert(
      input({
        reason: "readiness not reached\nwithin 16 s",
        details: ["Pod/wordpress-7c9-abcde container wordpress: Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 500"],
      }),
    );
    if (plan.kind === "nothing") throw new Error("expected a revert");
    expect(plan.headline).toBe("Revert Bump wordpress to 6.7.1 in prod: readiness not reached within 16 s");
    expect(plan.body).toBe(
      [
        `Restores environments/prod.yaml and overlays/prod/ to their content before ${mergeSha} (#7).`,
        "- Pod/wordpress-7c9-abcde container wordpress: Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 500",
        `Reverts: ${mergeSha}\nKustodian-Revert: prod\nKustodian-Pull-Request: 7`,
      ].join("\n\n"),
    );
    const message = `${plan.headline}\n\n${plan.body}`;
    expect(parseRevertTrailers(message)).toEqual({ reverts: mergeSha, environment: "prod", pullRequest: 7 });
    expect(isRevertOf(message, mergeSha, "prod")).toBe(true);
    expect(isRevertOf(message, mergeSha, "staging")).toBe(false);
    expect(isRevertOf(message, "b".repeat(40), "prod")).toBe(false);

    const noPr = buildRevert(input({ pullRequest: undefined, reason: "requested by @octocat" }));
    if (noPr.kind === "nothing") throw new Error("expected a revert");
    expect(noPr.headline).toBe("Revert commit aaaaaaa in prod: requested by @octocat");
    expect(parseRevertTrailers(noPr.body)).toEqual({ reverts: mergeSha, environment: "prod" });
  });

  it.each([
    ["Bump wordpress in prod to 6.7.1", "Revert Bump wordpress in prod to 6.7.1: requested"],
    ["prod: bump wordpress", "Revert prod: bump wordpress: requested"],
    ["Bump wordpress in PROD", "Revert Bump wordpress in PROD: requested"],
    ["Bump wordpress in production", "Revert Bump wordpress in production in prod: requested"],
    ["Bump wordpress in prod-eu", "Revert Bump wordpress in prod-eu in prod: requested"],
    ["Bump wordpress", "Revert Bump wordpress in prod: requested"],
  ])("the headline names the environment once: %s", (title, headline) => {
    const plan = buildRevert(input({ pullRequest: { number: 7, title }, reason: "requested" }));
    if (plan.kind === "nothing") throw new Error("expected a revert");
    expect(plan.headline).toBe(headline);
  });

  it("applies extra edits of the environment file on top of the restored content (the held-image seam)", () => {
    // What issue 7 will pass: record the failed image in the restored file, through yaml's Document.
    const hold = (image: string): EnvironmentFileEdit => ({
      summary: `hold ${image} in prod (ReadinessTimeout)`,
      apply(text) {
        const doc = parseDocument(text);
        const held = (doc.getIn(["held"]) as unknown) ? (doc.toJS().held as unknown[]) : [];
        doc.setIn(["held"], [...held, { image, reason: "ReadinessTimeout", reverts: mergeSha }]);
        return String(doc);
      },
    });
    const plan = buildRevert(input({ environmentEdits: [hold("wordpress:6.7.1-apache"), hold("mysql:9")] }));
    if (plan.kind === "nothing") throw new Error("expected a revert");
    const envFile = plan.changes.find((c) => c.path === "environments/prod.yaml")!.after!;
    const doc = parseDocument(envFile);
    expect(doc.errors).toEqual([]);
    expect(doc.toJS().held).toEqual([
      { image: "wordpress:6.7.1-apache", reason: "ReadinessTimeout", reverts: mergeSha },
      { image: "mysql:9", reason: "ReadinessTimeout", reverts: mergeSha },
    ]);
    // The restored content is underneath, comments and all; the overlay is the pre-merge one.
    expect(doc.toJS().workloads.wordpress.image).toBe("wordpress:6.5.5-apache");
    expect(envFile.startsWith(before.get("environments/prod.yaml")!.trimEnd())).toBe(true);
    expect(plan.changes.find((c) => c.path === "overlays/prod/kustomization.yaml")!.after).toBe(
      before.get("overlays/prod/kustomization.yaml"),
    );
    expect(plan.editsApplied).toEqual([
      "hold wordpress:6.7.1-apache in prod (ReadinessTimeout)",
      "hold mysql:9 in prod (ReadinessTimeout)",
    ]);
    expect(plan.body).toContain(
      "Also in this commit:\n- hold wordpress:6.7.1-apache in prod (ReadinessTimeout)\n- hold mysql:9 in prod (ReadinessTimeout)",
    );
    expect(parseRevertTrailers(plan.body)).toMatchObject({ environment: "prod" });

    // No environment file to edit when the revert deletes it.
    const added = buildRevert(input({ before: new Map(), environmentEdits: [hold("wordpress:6.7.1-apache")] }));
    if (added.kind === "nothing") throw new Error("expected a revert");
    expect(added.editsApplied).toEqual([]);
    expect(added.changes.every((c) => c.after === undefined)).toBe(true);
  });

  it("an edit works on the restored text, not on the merged one", () => {
    const edit: EnvironmentFileEdit = { summary: "mark", apply: (t) => `${t}# marked\n` };
    const plan = buildRevert(input({ environmentEdits: [edit] }));
    if (plan.kind === "nothing") throw new Error("expected a revert");
    expect(plan.changes[0]).toEqual({ path: "environments/prod.yaml", after: `${before.get("environments/prod.yaml")}# marked\n` });
  });

  it("revert pull request branches are one per environment and merge", () => {
    expect(revertBranchName("prod", mergeSha)).toBe("kustodian/revert/prod/aaaaaaaaaaaa");
  });
});

describe("parseRevertTrailers", () => {
  it("reads git-style trailers of the last paragraph only, and needs both kustodian keys", () => {
    expect(parseRevertTrailers(`x\n\nreverts: ${mergeSha.toUpperCase()}\nkustodian-revert: dev\nKustodian-Pull-Request: #12`)).toEqual({
      reverts: mergeSha,
      environment: "dev",
      pullRequest: 12,
    });
    expect(parseRevertTrailers(`Revert "x"\n\nThis reverts commit ${mergeSha}.\n\nReverts: ${mergeSha}`)).toBeUndefined();
    expect(parseRevertTrailers(`x\n\nReverts: ${mergeSha}\nKustodian-Revert: dev\n\nSigned-off-by: someone`)).toBeUndefined();
    expect(parseRevertTrailers(`x\n\nReverts: abc123\nKustodian-Revert: dev`)).toBeUndefined();
    expect(parseRevertTrailers(null)).toBeUndefined();
    expect(parseRevertTrailers(`x\r\n\r\nReverts: ${mergeSha}\r\nKustodian-Revert: dev\r\n`)).toEqual({
      reverts: mergeSha,
      environment: "dev",
    });
  });
});
