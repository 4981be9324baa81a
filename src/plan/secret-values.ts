// Values that must never leave kustodian (issue 11): every Secret value, and config or env values
// whose key names a secret (WORDPRESS_DB_PASSWORD, API_TOKEN, ...). The plan masks each of them
// wherever it shows up — a ConfigMap a `replacements:` copied a Secret value into, an env value,
// a finding — not only in Secret objects.
import type { AppConfig } from "../config/app-config.ts";
import type { KubeObject } from "../k8s/manifest-types.ts";
import { LiteralMatcher } from "../text/literal-matcher.ts";
import { maskedMarker } from "./secret-masking.ts";

/** Words that make a key name a secret's (case-insensitive, anywhere in the name). */
export const defaultSecretKeyWords = ["password", "passwd", "secret", "token", "key", "credential", "apikey", "private"] as const;

/** Values shorter than this are not masked by equality ("0", "true" would mask half the plan); key-named ones always are. */
const shortest = 4;

/**
 * Values at least this long are masked wherever they appear, also inside a longer string (a DSN
 * `mysql://user:<value>@db/x`, a commit message, a line of the plan); shorter ones only where a
 * whole value equals them (as inside text they would hit ordinary words).
 */
export const embeddedMinimum = 8;

/**
 * The values to mask (a Set: exact matches), and the matcher that finds them inside longer text:
 * those of at least {@link embeddedMinimum} characters that are not part of a name the manifests
 * show anyway (an object's name or namespace, a label, a container, env or data key, an image).
 * A Secret whose value is the app's own name (the sample's `wordpress`) would otherwise mask every
 * name and image of the plan while hiding nothing a reader cannot see; such a value is masked
 * where a whole value equals it (MYSQL_DATABASE: wordpress shows as <masked>).
 */
export class SecretValues extends Set<string> {
  #embedded: LiteralMatcher | undefined;
  #names = "";

  static of(values: Iterable<string>, names: readonly string[]): SecretValues {
    const out = new SecretValues(values);
    out.#names = names.join("\n");
    return out;
  }

  /** Finds the values to mask inside longer text (built once, on first use). */
  get embedded(): LiteralMatcher {
    if (!this.#embedded) {
      const long = [...this].filter((v) => v.length >= embeddedMinimum);
      const inNames = new LiteralMatcher(long).occurring(this.#names);
      this.#embedded = new LiteralMatcher(long.filter((v) => !inNames.has(v)));
    }
    return this.#embedded;
  }
}

const plainMatchers = new WeakMap<ReadonlySet<string>, LiteralMatcher>();

/** The matcher of a set of values: SecretValues' own, else every value of at least embeddedMinimum characters. */
function embeddedMatcher(values: ReadonlySet<string>): LiteralMatcher {
  if (values instanceof SecretValues) return values.embedded;
  let matcher = plainMatchers.get(values);
  if (!matcher) plainMatchers.set(values, (matcher = new LiteralMatcher([...values].filter((v) => v.length >= embeddedMinimum))));
  return matcher;
}

/** One value as shown: the mask when it equals a secret value, else with every secret value inside it masked. */
export function maskedValue(value: string, hidden: ReadonlySet<string>): string {
  if (hidden.has(value)) return maskedMarker;
  return embeddedMatcher(hidden).replace(value, maskedMarker);
}

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

/**
 * Every value to mask in these objects: Secret values (as written and decoded), and values under
 * secret-named keys; with the names the objects show (see SecretValues).
 */
export function sensitiveValues(objects: readonly KubeObject[], words: readonly string[] = defaultSecretKeyWords): SecretValues {
  const values = new Set<string>();
  const names: string[] = [];
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
    if (typeof record.name === "string") names.push(record.name);
    if (typeof record.image === "string") names.push(record.image);
    for (const value of Object.values(record)) walk(value);
  };
  for (const object of objects) {
    const o = object as KubeObject & { data?: Record<string, unknown>; stringData?: Record<string, unknown> };
    const metadata = object.metadata as { namespace?: string; labels?: Record<string, string> } | undefined;
    if (metadata?.namespace) names.push(metadata.namespace);
    for (const [key, value] of Object.entries(metadata?.labels ?? {})) names.push(key, String(value));
    for (const field of ["data", "stringData"] as const) names.push(...Object.keys(o[field] ?? {}));
    if (object.kind === "Secret") {
      if (typeof object.metadata?.name === "string") names.push(object.metadata.name);
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
  return SecretValues.of(values, names);
}

/**
 * `text` (a comment, a check run, a commit message) with every occurrence of a value of at least
 * {@link embeddedMinimum} characters replaced by the mask marker: ONE pass over the text, however
 * many values (src/text/literal-matcher.ts); overlapping values give one marker.
 */
export function redact(text: string, values: ReadonlySet<string>): string {
  if (values.size === 0 || text === "") return text;
  return embeddedMatcher(values).replace(text, maskedMarker);
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
    typeof value !== "string" ? value : namesASecret(key, words) ? maskedMarker : maskedValue(value, hidden);
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
