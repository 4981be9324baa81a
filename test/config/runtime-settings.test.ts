import { describe, expect, it } from "vitest";
import { runtimeSettings } from "../../src/config/runtime-settings.ts";

describe("runtimeSettings: the after-merge loop's settings from environment variables", () => {
  it("defaults: poll 60 s, sync timeout 30 min, Lease 15/10/2 s (client-go's)", () => {
    expect(runtimeSettings({})).toEqual({
      ok: true,
      settings: { pollMs: 60_000, syncTimeoutMs: 1_800_000, lease: { durationSeconds: 15, renewDeadlineSeconds: 10, retrySeconds: 2 } },
    });
  });

  it("every variable is read", () => {
    const result = runtimeSettings({
      KUSTODIAN_POLL_INTERVAL_SECONDS: "5",
      KUSTODIAN_SYNC_TIMEOUT_SECONDS: "600",
      KUSTODIAN_LEASE_DURATION_SECONDS: "8",
      KUSTODIAN_LEASE_RENEW_DEADLINE_SECONDS: "6",
      KUSTODIAN_LEASE_RETRY_SECONDS: "0.5",
      UNRELATED: "x",
    });
    expect(result).toEqual({
      ok: true,
      settings: { pollMs: 5000, syncTimeoutMs: 600_000, lease: { durationSeconds: 8, renewDeadlineSeconds: 6, retrySeconds: 0.5 } },
    });
  });

  it("KUSTODIAN_CONTEXTS: the kube contexts environments may name, comma-separated", () => {
    const result = runtimeSettings({ KUSTODIAN_CONTEXTS: " prod, staging ,dev-eu," });
    expect(result.ok && result.settings.contexts).toEqual(["prod", "staging", "dev-eu"]);
    expect(runtimeSettings({}).ok && "contexts" in (runtimeSettings({}) as { settings: object }).settings).toBe(false);
  });

  const bad: Array<{ env: Record<string, string>; problem: RegExp }> = [
    {
      env: { KUSTODIAN_CONTEXTS: "prod staging" },
      problem: /^KUSTODIAN_CONTEXTS="prod staging": expected kube context names separated by commas/,
    },
    { env: { KUSTODIAN_CONTEXTS: " , " }, problem: /^KUSTODIAN_CONTEXTS=" , ": expected at least one kube context name/ },
    { env: { KUSTODIAN_POLL_INTERVAL_SECONDS: "1m" }, problem: /^KUSTODIAN_POLL_INTERVAL_SECONDS="1m": expected a number of seconds/ },
    { env: { KUSTODIAN_POLL_INTERVAL_SECONDS: "0" }, problem: /^KUSTODIAN_POLL_INTERVAL_SECONDS="0": expected at least 1/ },
    { env: { KUSTODIAN_LEASE_RETRY_SECONDS: "abc" }, problem: /^KUSTODIAN_LEASE_RETRY_SECONDS="abc": expected a number of seconds$/ },
    { env: { KUSTODIAN_SYNC_TIMEOUT_SECONDS: "-5" }, problem: /^KUSTODIAN_SYNC_TIMEOUT_SECONDS="-5": expected a number of seconds/ },
    {
      env: { KUSTODIAN_LEASE_DURATION_SECONDS: "10" },
      problem: /^KUSTODIAN_LEASE_RENEW_DEADLINE_SECONDS="": must be shorter than KUSTODIAN_LEASE_DURATION_SECONDS/,
    },
    {
      env: { KUSTODIAN_LEASE_RETRY_SECONDS: "12" },
      problem: /^KUSTODIAN_LEASE_RETRY_SECONDS="12": must be shorter than KUSTODIAN_LEASE_RENEW_DEADLINE_SECONDS/,
    },
  ];
  it.each(bad)("$env: refused, naming the variable", ({ env, problem }) => {
    const result = runtimeSettings(env);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([expect.stringMatching(problem)]);
  });
});
