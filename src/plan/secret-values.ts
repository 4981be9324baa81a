// Values that must never leave kustodian (issue 11): every Secret value, and config or env values
// whose key names a secret (WORDPRESS_DB_PASSWORD, API_TOKEN, ...). The plan masks each of them
// wherever it shows up — a ConfigMap a `replacements:` copied a Secret value into, an env value,
// a finding — not only in Secret objects.
import type { AppConfig } from "../config/app-config.ts";
import type { KubeObject } from "../k8s/manifest-types.ts";
import { maskedMarker } from "./secret-masking.ts";

/** Words that make a key name a secret's (case-insensitive, anywhere in the name). */
export const defaultSecretKeyWords = ["password", "passwd", "secret", "token", "key", "credential", "apikey", "private"] as const;

/** Values shorter than this are not masked by equality ("0", "true" would mask half the plan); key-named ones always are. */
const shortest = 4;

export function namesASecret(name: string, words: readonly string[] = defaultSecretKeyWords): boolean {
  const lower = name.toLowerCase();
  return words.some((w) => lower.includes(w.toLowerCase()));
}

/** The defaults plus the repository's own words (`.github/kustodian.yml` `secrets.keyWords`): more, never fewer. */
export function secretKeyWords(extra: readonly string[] = []): readonly string[] {
  return [...defaultSecretKeyWords, ...extra];
}

/**
 * The secret key words in force for a repository: the defaults plus its `.github/kustodian.yml`
 * `secrets.keyWords`. The one place the app (config from the default branch) and the CLI (config
 * at the commits it plans) take them from.
 */
export function secretWordsOf(...configs: readonly Pick<AppConfig, "secrets">[]): readonly string[] {
  return secretKeyWords([...new Set(configs.flatMap((c) => c.secrets.keyWords))]);
}

function decoded(value: string): string {
  return Buffer.from(value, "base64").toString("utf8");
}

/** Every value to mask in these objects: Secret values (as written and decoded), and values under secret-named keys. */
export function sensitiveValues(objects: readonly KubeObject[], words: readonly string[] = defaultSecretKeyWords): Set<string> {
  const values = new Set<string>();
  const add = (value: unknown, always = false) => {
    if (typeof value !== "string" || value === maskedMarker) return;
    if (always ? value.length > 0 : value.length >= shortest) values.add(value);
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    // An env entry (or any name/value pair) whose name names a secret.
    if (typeof record.name === "string" && typeof record.value === "string" && namesASecret(record.name, words)) add(record.value, true);
    for (const value of Object.values(record)) walk(value);
  };
  for (const object of objects) {
    const o = object as KubeObject & { data?: Record<string, unknown>; stringData?: Record<string, unknown> };
    if (object.kind === "Secret") {
      for (const value of Object.values(o.data ?? {})) {
        add(value);
        if (typeof value === "string") add(decoded(value));
      }
      for (const value of Object.values(o.stringData ?? {})) {
        add(value);
        if (typeof value === "string") add(Buffer.from(value, "utf8").toString("base64"));
      }
      continue;
    }
    for (const field of ["data", "stringData"] as const)
      for (const [key, value] of Object.entries(o[field] ?? {})) if (namesASecret(key, words)) add(value, true);
    walk(object);
  }
  return values;
}

/** `text` with every occurrence of every value replaced by the mask marker (longest first, so no value is half-masked). */
export function redact(text: string, values: ReadonlySet<string>): string {
  if (values.size === 0 || text === "") return text;
  let out = text;
  for (const value of [...values].sort((a, b) => b.length - a.length)) if (out.includes(value)) out = out.split(value).join(maskedMarker);
  return out;
}

/** A value of any shape with every string in it redacted. */
export function redactValue<T>(value: T, values: ReadonlySet<string>): T {
  if (values.size === 0) return value;
  if (typeof value === "string") return redact(value, values) as T;
  if (typeof value !== "object" || value === null) return value;
  return JSON.parse(redact(JSON.stringify(value), values)) as T;
}

/**
 * A copy of a (non-Secret) object whose values are masked where they carry a secret: ConfigMap
 * data under a secret-named key or equal to a Secret's value (what `replacements:` copies), and
 * env-style `{ name, value }` pairs likewise. Names, labels and images are left alone (a Secret whose value is a common word
 * must not blank out the plan).
 */
export function maskedValues<T extends KubeObject>(
  object: T,
  hidden: ReadonlySet<string>,
  words: readonly string[] = defaultSecretKeyWords,
): T {
  const copy = structuredClone(object) as T & { data?: Record<string, unknown>; stringData?: Record<string, unknown> };
  const mask = (key: string, value: unknown) =>
    typeof value !== "string" ? value : namesASecret(key, words) || hidden.has(value) ? maskedMarker : value;
  if (object.kind === "ConfigMap")
    for (const field of ["data", "stringData"] as const) {
      const values = copy[field];
      if (values) for (const key of Object.keys(values)) values[key] = mask(key, values[key]);
    }
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    if (typeof record.name === "string" && typeof record.value === "string") record.value = mask(record.name, record.value);
    for (const value of Object.values(record)) walk(value);
  };
  walk((copy as { spec?: unknown }).spec);
  return copy;
}

// `KEY: value` (YAML) or `KEY=value` (a generator literal), in a diff line or a plain one.
const keyedLine = /^([-+ ]?[ \t]*(?:- )?[ \t]*["']?)([\w.-]+)(["']?[ \t]*[:=][ \t]*)(\S.*)$/;

/**
 * A text (an environment file or an overlay, or a diff of them) with the values of secret-named
 * keys masked line by line (`WORDPRESS_DB_PASSWORD: "…"`, `- API_TOKEN=…`), then every hidden value.
 */
export function maskedText(
  text: string,
  hidden: ReadonlySet<string> = new Set(),
  words: readonly string[] = defaultSecretKeyWords,
): string {
  const lines = text.split("\n").map((line) => {
    const m = keyedLine.exec(line);
    return m && namesASecret(m[2]!, words) ? `${m[1]}${m[2]}${m[3]}${maskedMarker}` : line;
  });
  return redact(lines.join("\n"), hidden);
}
