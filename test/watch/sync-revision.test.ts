import { describe, expect, it } from "vitest";
import { appliedRevision, replacement } from "../../src/watch/sync-revision.ts";
import { fluxKustomization } from "../health/objects.ts";

const SHA = "a".repeat(40);
const OTHER = "b".repeat(40);
const digest = "latest@sha256:2f1a8a5e4f1c0b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706";
const ready = [
  { type: "Ready", status: "True", reason: "ReconciliationSucceeded", message: "", lastTransitionTime: "2026-01-01T00:00:00Z" },
];

describe("Flux fed by an OCIRepository or ExternalArtifact", () => {
  it("the applied git revision is lastAppliedOriginRevision, not the artifact digest", () => {
    const k = fluxKustomization({ lastAppliedRevision: digest, lastAppliedOriginRevision: `main@sha1:${SHA}`, conditions: ready });
    expect(appliedRevision(k)).toBe(`main@sha1:${SHA}`);
    // The merge is applied: nothing replaced it (with the digest it would look like another revision).
    expect(replacement(k, SHA, false)).toBeUndefined();
  });

  it("another origin revision applied after the merge was seen replaces it", () => {
    const k = fluxKustomization({ lastAppliedRevision: digest, lastAppliedOriginRevision: `main@sha1:${OTHER}`, conditions: ready });
    expect(replacement(k, SHA, true)).toEqual({ certain: true, revision: `main@sha1:${OTHER}` });
  });

  it("a GitRepository source keeps using lastAppliedRevision", () => {
    expect(appliedRevision(fluxKustomization({ lastAppliedRevision: `main@sha1:${SHA}`, conditions: ready }))).toBe(`main@sha1:${SHA}`);
  });
});
