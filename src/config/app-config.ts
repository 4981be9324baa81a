import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { keyOffset, valueOffset } from "../text/yaml-locate.ts";
import { FreezeWindow } from "./freeze-windows.ts";

/** `.github/kustodian.yml` in the repository (Probot's config convention: read from the default branch). */
export const AppConfig = z.strictObject({
  scale: z
    .strictObject({
      /** Upper bound for `/scale N`. */
      maxReplicas: z.int().min(1).max(1000).default(50),
    })
    .default({ maxReplicas: 50 }),
  rollout: z
    .strictObject({
      /** Commit a revert when a merged rollout fails (a PR on /hold is only reported). */
      autoRevert: z.boolean().default(true),
    })
    .default({ autoRevert: true }),
  /** Label that `/hold` puts on a pull request. */
  holdLabel: z.string().min(1).max(50).default("kustodian/hold"),
  secrets: z
    .strictObject({
      /**
       * More words that make a config or env key name a secret's, added to the defaults (password,
       * passwd, secret, token, key, credential, apikey, private); matched case-insensitively anywhere in the name.
       */
      keyWords: z.array(z.string().trim().min(3).max(50)).max(50).default([]),
    })
    .default({ keyWords: [] }),
  /** Deployment freezes: a PR that changes a frozen environment gets a failing kustodian/freeze check. */
  freezes: z.array(FreezeWindow).max(50).default([]),
});
export type AppConfig = z.infer<typeof AppConfig>;

export const configFileName = "kustodian.yml";

export type ConfigResult = { ok: true; config: AppConfig } | { ok: false; problems: string[] };

/** Validates the raw config (null when the file does not exist). Problems name the field. */
export function parseAppConfig(raw: unknown): ConfigResult {
  const result = AppConfig.safeParse(raw ?? {});
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((i) => {
      const field = [...i.path, ...(i.code === "unrecognized_keys" ? [i.keys.join(", ")] : [])].join(".");
      return `.github/${configFileName}${field ? ` ${field}` : ""}: ${i.code === "unrecognized_keys" ? "unknown field" : i.message}`;
    }),
  };
}

/**
 * Parses the text of `.github/kustodian.yml` and validates it: every problem says where it is,
 * `.github/kustodian.yml:2:16 scale.maxReplicas: ...` (YAML errors too), and nothing else (no
 * API URL, no stack). Empty text is the defaults.
 */
export function parseAppConfigText(text: string, file = `.github/${configFileName}`): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, field: string, message: string) => {
    const pos = lineCounter.linePos(offset);
    return `${file}:${pos.line}:${pos.col}${field ? ` ${field}` : ""}: ${message}`;
  };
  if (doc.errors.length)
    return { ok: false, problems: doc.errors.map((e) => at(e.pos[0], "", `invalid YAML: ${e.message.split("\n")[0]}`)) };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 10 });
  } catch (error) {
    return { ok: false, problems: [at(0, "", `YAML could not be read: ${(error as Error).message}`)] };
  }
  const result = AppConfig.safeParse(raw ?? {});
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    problems: result.error.issues.flatMap((i) => {
      const path = i.path.map((p) => (typeof p === "symbol" ? String(p) : p));
      if (i.code === "unrecognized_keys")
        return i.keys.map((k) => at(keyOffset(doc, [...path, k]), [...path, k].join("."), "unknown field"));
      return [at(valueOffset(doc, path), path.join("."), i.message)];
    }),
  };
}
