import { describe, expect, it } from "vitest";
import { HealthInputError, revisionNamesSha, syncState, type SyncState } from "../../src/health/index.ts";
import { OTHER_SHA, SHA, T0, argoApp, at, fluxKustomization, ready } from "./objects.ts";

const state = (s: SyncState): string => s.state;

describe("revisionNamesSha: full SHA only", () => {
  const cases: Array<[string | undefined, boolean]> = [
    [SHA, true],
    [SHA.toUpperCase(), true],
    [`main@sha1:${SHA}`, true],
    [`refs/heads/main@sha1:${SHA}`, true],
    [`sha1:${SHA}`, true],
    [`main/${SHA}`, true],
    [`main@sha1:${OTHER_SHA}`, false],
    [`main@sha1:${SHA.slice(0, 7)}`, false],
    [SHA.slice(0, 12), false],
    [`main@sha1:${SHA}0`, false],
    [undefined, false],
    ["", false],
  ];
  it.each(cases)("%s -> %s", (revision, expected) => {
    expect(revisionNamesSha(revision, SHA)).toBe(expected);
  });
});

describe("syncState: Argo CD Application", () => {
  const cases: Array<{ name: string; app: ReturnType<typeof argoApp>; expected: SyncState["state"] }> = [
    { name: "Synced at the merge SHA", app: argoApp({ sync: { status: "Synced", revision: SHA } }), expected: "Applied" },
    {
      name: "Synced, multi-source revisions include it",
      app: argoApp({ sync: { status: "Synced", revisions: [OTHER_SHA, SHA] } }),
      expected: "Applied",
    },
    { name: "Synced at an older SHA", app: argoApp({ sync: { status: "Synced", revision: OTHER_SHA } }), expected: "Waiting" },
    { name: "OutOfSync at the merge SHA", app: argoApp({ sync: { status: "OutOfSync", revision: SHA } }), expected: "Waiting" },
    { name: "no status yet", app: argoApp({}), expected: "Waiting" },
    {
      name: "sync operation for the SHA Running",
      app: argoApp({
        sync: { status: "OutOfSync", revision: SHA },
        operationState: { phase: "Running", operation: { sync: { revision: SHA } } },
      }),
      expected: "Waiting",
    },
    {
      name: "sync operation for the SHA Failed",
      app: argoApp({
        sync: { status: "OutOfSync", revision: SHA },
        operationState: { phase: "Failed", message: "one or more objects failed to apply", syncResult: { revision: SHA } },
      }),
      expected: "Failed",
    },
    {
      name: "sync operation for the SHA Error (operation.sync.revision)",
      app: argoApp({ operationState: { phase: "Error", message: "rpc error", operation: { sync: { revision: SHA } } } }),
      expected: "Failed",
    },
    {
      name: "a failed operation for another revision is not ours",
      app: argoApp({
        sync: { status: "OutOfSync", revision: OTHER_SHA },
        operationState: { phase: "Failed", syncResult: { revision: OTHER_SHA } },
      }),
      expected: "Waiting",
    },
    {
      name: "ComparisonError condition",
      app: argoApp({
        sync: { status: "Unknown" },
        conditions: [{ type: "ComparisonError", message: "kustomize build failed: accumulating resources" }],
      }),
      expected: "Failed",
    },
    {
      name: "SyncError condition",
      app: argoApp({ conditions: [{ type: "SyncError", message: "Failed sync attempt" }] }),
      expected: "Failed",
    },
    {
      name: "warning conditions do not fail",
      app: argoApp({ conditions: [{ type: "OrphanedResourceWarning", message: "1 orphaned" }] }),
      expected: "Waiting",
    },
  ];
  it.each(cases)("$name -> $expected", ({ app, expected }) => {
    expect(state(syncState(app, SHA))).toBe(expected);
  });

  it("compares SHAs case-insensitively", () => {
    expect(state(syncState(argoApp({ sync: { status: "Synced", revision: SHA.toUpperCase() } }), SHA))).toBe("Applied");
    expect(state(syncState(argoApp({ sync: { status: "Synced", revision: SHA } }), SHA.toUpperCase()))).toBe("Applied");
  });

  it("quotes the operation message and the resources that failed to sync", () => {
    const app = argoApp({
      operationState: {
        phase: "Failed",
        message: 'one or more objects failed to apply, reason: Deployment.apps "wordpress" is invalid',
        syncResult: {
          revision: SHA,
          resources: [
            { kind: "Service", name: "wordpress", status: "Synced", message: "service/wordpress unchanged" },
            {
              kind: "Deployment",
              name: "wordpress",
              status: "SyncFailed",
              message: "spec.template.spec.containers[0].image: Required value",
            },
          ],
        },
      },
    });
    expect(syncState(app, SHA)).toEqual({
      state: "Failed",
      applied: false,
      summary: `Argo CD sync of ${SHA.slice(0, 7)} failed: one or more objects failed to apply, reason: Deployment.apps "wordpress" is invalid`,
      evidence: [
        {
          object: "Application/wordpress-prod",
          reason: "OperationFailed",
          message: 'one or more objects failed to apply, reason: Deployment.apps "wordpress" is invalid',
        },
        { object: "Deployment/wordpress", reason: "SyncFailed", message: "spec.template.spec.containers[0].image: Required value" },
      ],
    });
  });

  it("a failed hook after a Synced apply is a failure with the manifests applied", () => {
    const app = argoApp({
      sync: { status: "Synced", revision: SHA },
      operationState: { phase: "Failed", message: "PostSync hook failed", syncResult: { revision: SHA } },
    });
    expect(syncState(app, SHA)).toMatchObject({ state: "Failed", applied: true });
  });

  it("ignores error conditions that predate the merge when mergedAt is given (string or Date times)", () => {
    const app = (time: string | Date) =>
      argoApp({
        sync: { status: "Synced", revision: OTHER_SHA },
        conditions: [{ type: "ComparisonError", message: "x", lastTransitionTime: time }],
      });
    expect(state(syncState(app(at(-60)), SHA, { mergedAt: T0 }))).toBe("Waiting");
    expect(state(syncState(app(new Date(T0 - 60_000)), SHA, { mergedAt: new Date(T0) }))).toBe("Waiting");
    expect(state(syncState(app(at(5)), SHA, { mergedAt: T0 }))).toBe("Failed");
    expect(state(syncState(app(at(-60)), SHA))).toBe("Failed");
  });

  it("says what it waits for", () => {
    expect(syncState(argoApp({ sync: { status: "Synced", revision: OTHER_SHA } }), SHA)).toEqual({
      state: "Waiting",
      detail: `Application/wordpress-prod Synced at ${OTHER_SHA.slice(0, 7)}, waiting for ${SHA.slice(0, 7)}`,
    });
  });
});

describe("syncState: Flux Kustomization", () => {
  const applied = `main@sha1:${SHA}`;
  const cases: Array<{ name: string; k: ReturnType<typeof fluxKustomization>; expected: SyncState["state"] }> = [
    {
      name: "applied and Ready",
      k: fluxKustomization({
        lastAppliedRevision: applied,
        lastAttemptedRevision: applied,
        conditions: [ready("True", "ReconciliationSucceeded")],
      }),
      expected: "Applied",
    },
    {
      name: "older <branch>/<sha> format",
      k: fluxKustomization({ lastAppliedRevision: `main/${SHA}`, conditions: [ready("True", "ReconciliationSucceeded")] }),
      expected: "Applied",
    },
    {
      name: "Ready at an older revision",
      k: fluxKustomization({ lastAppliedRevision: `main@sha1:${OTHER_SHA}`, conditions: [ready("True", "ReconciliationSucceeded")] }),
      expected: "Waiting",
    },
    {
      name: "short SHA in the status does not count",
      k: fluxKustomization({ lastAppliedRevision: `main@sha1:${SHA.slice(0, 7)}`, conditions: [ready("True", "ReconciliationSucceeded")] }),
      expected: "Waiting",
    },
    {
      name: "applied but reconciling again (Ready Unknown)",
      k: fluxKustomization({
        lastAppliedRevision: applied,
        conditions: [ready("Unknown", "Progressing"), { type: "Reconciling", status: "True", reason: "Progressing" }],
      }),
      expected: "Waiting",
    },
    {
      name: "BuildFailed for the SHA",
      k: fluxKustomization({
        lastAttemptedRevision: applied,
        lastAppliedRevision: `main@sha1:${OTHER_SHA}`,
        conditions: [ready("False", "BuildFailed", "kustomize build failed")],
      }),
      expected: "Failed",
    },
    {
      name: "ReconciliationFailed for the SHA",
      k: fluxKustomization({
        lastAttemptedRevision: applied,
        conditions: [ready("False", "ReconciliationFailed", "Deployment/prod/wordpress dry-run failed")],
      }),
      expected: "Failed",
    },
    {
      name: "HealthCheckFailed for the SHA",
      k: fluxKustomization({
        lastAttemptedRevision: applied,
        lastAppliedRevision: applied,
        conditions: [ready("False", "HealthCheckFailed", "timeout waiting for: [Deployment/prod/wordpress status: InProgress]")],
      }),
      expected: "Failed",
    },
    {
      name: "a failure of another revision is not ours",
      k: fluxKustomization({ lastAttemptedRevision: `main@sha1:${OTHER_SHA}`, conditions: [ready("False", "BuildFailed")] }),
      expected: "Waiting",
    },
    {
      name: "ArtifactFailed is about the source, not the revision",
      k: fluxKustomization({ lastAttemptedRevision: applied, conditions: [ready("False", "ArtifactFailed", "GitRepository not found")] }),
      expected: "Waiting",
    },
    {
      name: "DependencyNotReady waits",
      k: fluxKustomization({ lastAttemptedRevision: applied, conditions: [ready("False", "DependencyNotReady")] }),
      expected: "Waiting",
    },
    {
      name: "Stalled for the SHA",
      k: fluxKustomization({
        lastAttemptedRevision: applied,
        conditions: [{ type: "Stalled", status: "True", reason: "InvalidPath", message: "path not found" }],
      }),
      expected: "Failed",
    },
    {
      name: "suspended",
      k: fluxKustomization({ lastAppliedRevision: `main@sha1:${OTHER_SHA}`, conditions: [ready("True", "ReconciliationSucceeded")] }, true),
      expected: "Waiting",
    },
    {
      // An OCIRepository (or ExternalArtifact) source: the applied revision is the artifact's
      // digest; the git commit is in lastAppliedOriginRevision.
      name: "OCIRepository source: the origin revision names the SHA",
      k: fluxKustomization({
        lastAppliedRevision: "latest@sha256:2f1a8a5e4f1c0b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706",
        lastAppliedOriginRevision: applied,
        conditions: [ready("True", "ReconciliationSucceeded")],
      }),
      expected: "Applied",
    },
    {
      name: "OCIRepository source at an older origin revision",
      k: fluxKustomization({
        lastAppliedRevision: "latest@sha256:2f1a8a5e4f1c0b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706",
        lastAppliedOriginRevision: `main@sha1:${OTHER_SHA}`,
        conditions: [ready("True", "ReconciliationSucceeded")],
      }),
      expected: "Waiting",
    },
  ];
  it.each(cases)("$name -> $expected", ({ k, expected }) => {
    expect(state(syncState(k, SHA))).toBe(expected);
  });

  it("marks HealthCheckFailed after an apply of the SHA as applied, BuildFailed as not", () => {
    expect(syncState(cases[7]!.k, SHA)).toMatchObject({ state: "Failed", applied: true });
    expect(syncState(cases[5]!.k, SHA)).toEqual({
      state: "Failed",
      applied: false,
      summary: `Flux BuildFailed for ${SHA.slice(0, 7)}: kustomize build failed`,
      evidence: [{ object: "Kustomization/wordpress-prod", reason: "BuildFailed", message: "kustomize build failed" }],
    });
  });
});

describe("syncState: input errors", () => {
  it("requires a full merge SHA", () => {
    const app = argoApp({ sync: { status: "Synced", revision: SHA } });
    expect(() => syncState(app, SHA.slice(0, 7))).toThrow(HealthInputError);
    expect(() => syncState(app, `${SHA}z`)).toThrow(/full commit SHA/);
  });

  it("rejects an object that is neither kind", () => {
    expect(() => syncState({ apiVersion: "apps/v1", kind: "Deployment" }, SHA)).toThrow(HealthInputError);
  });

  it("recognises objects without apiVersion/kind by their status shape", () => {
    expect(state(syncState({ status: { sync: { status: "Synced", revision: SHA } } }, SHA))).toBe("Applied");
    expect(
      state(
        syncState({ status: { lastAppliedRevision: `main@sha1:${SHA}`, conditions: [ready("True", "ReconciliationSucceeded")] } }, SHA),
      ),
    ).toBe("Applied");
  });
});
