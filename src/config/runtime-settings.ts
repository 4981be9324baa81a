// The after-merge loop's settings, from environment variables (README "Settings"): validated
// once at startup, so a typo stops the server with a message naming the variable.
import { z } from "zod";

const seconds = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, { error: "expected a number of seconds" })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { error: `expected at least ${min}` })
        .max(max, { error: `expected at most ${max}` }),
    );

/** true when both are numbers and `shorter` is not shorter than `longer`. */
function ordered(shorter: unknown, longer: unknown): boolean {
  return (
    typeof shorter === "number" && typeof longer === "number" && Number.isFinite(shorter) && Number.isFinite(longer) && shorter >= longer
  );
}

/** A comma-separated list of kube context names (`prod, staging`). */
const contextNames = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().regex(/^[^\s"']{1,253}$/, { error: "expected kube context names separated by commas" }))
      .min(1, { error: "expected at least one kube context name" }),
  );

/** Each setting: its environment variable, its bounds and its default (seconds). */
export const RuntimeSettingsFromEnv = z
  .object({
    /** The kube contexts environments may name; checked against the kubeconfig at startup. Default: any of the kubeconfig's. */
    KUSTODIAN_CONTEXTS: contextNames.optional(),
    KUSTODIAN_POLL_INTERVAL_SECONDS: seconds(1, 3600).default(60),
    KUSTODIAN_SYNC_TIMEOUT_SECONDS: seconds(10, 24 * 3600).default(1800),
    KUSTODIAN_LEASE_DURATION_SECONDS: seconds(2, 600).default(15),
    KUSTODIAN_LEASE_RENEW_DEADLINE_SECONDS: seconds(1, 600).default(10),
    KUSTODIAN_LEASE_RETRY_SECONDS: seconds(0.1, 60).default(2),
  })
  // (Only when both are numbers: a field that failed is reported once, by itself.)
  .refine((s) => !ordered(s.KUSTODIAN_LEASE_RENEW_DEADLINE_SECONDS, s.KUSTODIAN_LEASE_DURATION_SECONDS), {
    error: "must be shorter than KUSTODIAN_LEASE_DURATION_SECONDS",
    path: ["KUSTODIAN_LEASE_RENEW_DEADLINE_SECONDS"],
  })
  .refine((s) => !ordered(s.KUSTODIAN_LEASE_RETRY_SECONDS, s.KUSTODIAN_LEASE_RENEW_DEADLINE_SECONDS), {
    error: "must be shorter than KUSTODIAN_LEASE_RENEW_DEADLINE_SECONDS",
    path: ["KUSTODIAN_LEASE_RETRY_SECONDS"],
  });

export interface RuntimeSettings {
  pollMs: number;
  syncTimeoutMs: number;
  lease: { durationSeconds: number; renewDeadlineSeconds: number; retrySeconds: number };
  /** KUSTODIAN_CONTEXTS: the only kube contexts environments may name (each must be in the kubeconfig). */
  contexts?: string[];
}

export type RuntimeSettingsResult = { ok: true; settings: RuntimeSettings } | { ok: false; problems: string[] };

/** The settings from `env` (process.env); problems name the variable and what is wrong. */
export function runtimeSettings(env: Readonly<Record<string, string | undefined>>): RuntimeSettingsResult {
  const picked = Object.fromEntries(
    Object.keys(RuntimeSettingsFromEnv.shape)
      .filter((k) => env[k] !== undefined && env[k] !== "")
      .map((k) => [k, env[k]]),
  );
  const result = RuntimeSettingsFromEnv.safeParse(picked);
  if (!result.success)
    return {
      ok: false,
      problems: result.error.issues.map((i) => `${String(i.path[0])}=${JSON.stringify(env[String(i.path[0])] ?? "")}: ${i.message}`),
    };
  const s = result.data;
  return {
    ok: true,
    settings: {
      pollMs: s.KUSTODIAN_POLL_INTERVAL_SECONDS * 1000,
      syncTimeoutMs: s.KUSTODIAN_SYNC_TIMEOUT_SECONDS * 1000,
      lease: {
        durationSeconds: s.KUSTODIAN_LEASE_DURATION_SECONDS,
        renewDeadlineSeconds: s.KUSTODIAN_LEASE_RENEW_DEADLINE_SECONDS,
        retrySeconds: s.KUSTODIAN_LEASE_RETRY_SECONDS,
      },
      ...(s.KUSTODIAN_CONTEXTS ? { contexts: s.KUSTODIAN_CONTEXTS } : {}),
    },
  };
}
