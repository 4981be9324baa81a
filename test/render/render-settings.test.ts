import { describe, expect, it } from "vitest";
import { defaultRenderSettings, renderSettingsFromEnvironment } from "../../src/render/render-settings.ts";

describe("renderSettingsFromEnvironment", () => {
  it("uses the defaults when nothing is set", () => {
    expect(renderSettingsFromEnvironment({})).toEqual(defaultRenderSettings);
  });

  it("reads seconds, megabytes and a count", () => {
    expect(
      renderSettingsFromEnvironment({
        KUSTODIAN_RENDER_TIMEOUT_SECONDS: "90",
        KUSTODIAN_RENDER_MAX_OUTPUT_MB: "0.5",
        KUSTODIAN_RENDER_CONCURRENCY: "3",
      }),
    ).toEqual({ timeoutMs: 90_000, maxOutputBytes: 512 * 1024, concurrency: 3 });
  });

  it.each([
    ["KUSTODIAN_RENDER_TIMEOUT_SECONDS", "soon"],
    ["KUSTODIAN_RENDER_MAX_OUTPUT_MB", "-1"],
    ["KUSTODIAN_RENDER_CONCURRENCY", "1.5"],
  ])("names the variable when %s=%s is not valid", (name, value) => {
    expect(() => renderSettingsFromEnvironment({ [name]: value })).toThrow(new RegExp(`^${name}="${value}" is not valid`));
  });
});
