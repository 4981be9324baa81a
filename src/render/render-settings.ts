// The render sandbox's limits: one definition, read from the environment once, overridable by
// the CLI's flags and by tests (configureRenderSandbox).
import { availableParallelism } from "node:os";
import { z } from "zod";

export interface RenderSettings {
  /** Wall-clock limit of one kustomize run; then its whole process group is killed. */
  timeoutMs: number;
  /** Most bytes one kustomize run may write to stdout; then it is killed. */
  maxOutputBytes: number;
  /** Most kustomize runs at once in this process. */
  concurrency: number;
}

export const defaultRenderSettings: Readonly<RenderSettings> = Object.freeze({
  timeoutMs: 60_000,
  maxOutputBytes: 32 * 1024 * 1024,
  concurrency: availableParallelism(),
});

const positiveNumber = z.coerce.number().positive().finite();
const positiveInteger = z.coerce.number().int().positive();

/** The environment variables that set the sandbox's limits (all optional). */
export const RenderSettingsEnvironment = z.object({
  KUSTODIAN_RENDER_TIMEOUT_SECONDS: positiveNumber.optional(),
  KUSTODIAN_RENDER_MAX_OUTPUT_MB: positiveNumber.optional(),
  KUSTODIAN_RENDER_CONCURRENCY: positiveInteger.optional(),
});
export type RenderSettingsEnvironment = z.infer<typeof RenderSettingsEnvironment>;

/** Reads the limits from environment variables; an invalid value is an error naming the variable. */
export function renderSettingsFromEnvironment(env: Record<string, string | undefined>): RenderSettings {
  const given = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith("KUSTODIAN_RENDER_") && v !== undefined && v !== ""),
  );
  const parsed = RenderSettingsEnvironment.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new Error(`${name}=${JSON.stringify(given[name])} is not valid: ${issue.message}`);
  }
  const v = parsed.data;
  return {
    timeoutMs:
      v.KUSTODIAN_RENDER_TIMEOUT_SECONDS !== undefined
        ? Math.round(v.KUSTODIAN_RENDER_TIMEOUT_SECONDS * 1000)
        : defaultRenderSettings.timeoutMs,
    maxOutputBytes:
      v.KUSTODIAN_RENDER_MAX_OUTPUT_MB !== undefined
        ? Math.round(v.KUSTODIAN_RENDER_MAX_OUTPUT_MB * 1024 * 1024)
        : defaultRenderSettings.maxOutputBytes,
    concurrency: v.KUSTODIAN_RENDER_CONCURRENCY ?? defaultRenderSettings.concurrency,
  };
}

let current: RenderSettings | undefined;

/** The limits in force: the environment's, with any configureRenderSandbox overrides. */
export function renderSettings(): RenderSettings {
  current ??= renderSettingsFromEnvironment(process.env);
  return current;
}

/** Overrides some limits for this process (the CLI's --render-* flags; tests). */
export function configureRenderSandbox(overrides: Partial<RenderSettings>): RenderSettings {
  current = { ...renderSettings(), ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  return current;
}
