import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { readYaml, readYamlStream } from "../../src/text/read-yaml.ts";

/** What yaml v2 gives: the reference the fast reader must match. */
const yamlStream = (text: string) => {
  const parsed = parseAllDocuments(text);
  return (Array.isArray(parsed) ? parsed : []).map((d) => d.toJS() as unknown);
};
const outcome = (read: () => unknown) => {
  try {
    return { value: read() };
  } catch (error) {
    return { error: (error as Error).message };
  }
};

const scalars = [
  "0",
  "-0",
  "+1",
  "007",
  "0755",
  "0o17",
  "0o18",
  "0x1F",
  "0xg",
  "0b101",
  "1_000",
  "12345678901234567890",
  "1.",
  ".5",
  "1.50",
  "-1.5e3",
  "1e3",
  "1E-3",
  ".inf",
  "-.Inf",
  "+.INF",
  ".nan",
  ".NaN",
  "NaN",
  "inf",
  "true",
  "True",
  "TRUE",
  "tRue",
  "false",
  "False",
  "FALSE",
  "yes",
  "no",
  "on",
  "off",
  "y",
  "n",
  "null",
  "Null",
  "NULL",
  "nULL",
  "~",
  "",
  "2024-01-01",
  "2024-01-01T10:00:00Z",
  "12:30:00",
  "1:20",
  "=",
  "<<",
  "- x",
  "'single'",
  '"double \\u00e9 \\n"',
  "plain with spaces",
  "100m",
  "128Mi",
  "1.0.0",
  "v1",
];

const documents: Record<string, string> = {
  "kustomize output": `apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app: web
  name: web
  namespace: shop
spec:
  replicas: 2
  template:
    spec:
      containers:
      - args:
        - --port=8080
        - "0755"
        image: registry.example.com/web:1.0.0
        name: web
        ports:
        - containerPort: 8080
          name: http
        resources:
          limits:
            cpu: 200m
---
apiVersion: v1
data:
  config.yaml: |
    a: 1
    b: [x, y]
  empty: ""
  folded: >-
    one
    two
kind: ConfigMap
metadata:
  name: web-config
`,
  "empty stream": "",
  "only comments": "# nothing\n",
  "empty documents": "---\n---\na: 1\n---\n",
  "a scalar document": "just text\n",
  "block scalars": "a: |+\n  keep\n\nb: >\n  fold\n  ed\n\n  para\nc: |2-\n    indented\n",
  "flow collections": "a: {b: 1, c: [1, 2, {d: null}]}\ne: []\nf: {}\n",
  "multi-line plain": "a: one\n  two\n  three\nb: 'it''s'\n",
  "quoted escapes": 'a: "tab\\tnew\\nline \\x41 \\u263A \\U0001F600"\nb: "\\"q\\""\n',
  "anchors and aliases": "a: &x {b: 1}\nc: *x\n",
  "merge key": "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n",
  "duplicate key": "a: 1\na: 2\n",
  "numeric key": "1: one\ntrue: yes\nnull: nothing\n~: tilde\n",
  "complex key": "? [a, b]\n: c\n",
  "proto key": "__proto__: {polluted: true}\nx: 1\n",
  "explicit tags": "a: !!str 123\nb: !!int '7'\nc: !!binary aGVsbG8=\nd: !custom thing\ne: !!timestamp 2024-01-01\n",
  directive: "%YAML 1.1\n---\na: yes\nb: 0755\n",
  "syntax error": "a: [1, 2\nb: c\n",
  "bad indentation": "a:\n  b: 1\n c: 2\n",
  tabs: "a:\n\tb: 1\n",
  "deep nesting": `${"[".repeat(150)}${"]".repeat(150)}\n`,
  crlf: "a: 1\r\nb:\r\n  - x\r\n",
  "byte order mark": "\uFEFFa: 1\n",
  unicode: "名前: 値\nemoji: 😀\n",
};

describe("readYamlStream / readYaml: yaml v2's values, faster", () => {
  it.each(scalars)("the plain scalar %j resolves as yaml v2 resolves it (as a value and as a key)", (scalar) => {
    for (const text of [`v: ${scalar}\n`, `- ${scalar}\n`, `${scalar}: v\n`, `${scalar}\n`]) {
      expect(readYamlStream(text).documents, text).toEqual(yamlStream(text));
      expect(
        outcome(() => readYaml(text)),
        text,
      ).toEqual(outcome(() => parse(text)));
    }
  });

  it.each(Object.entries(documents))("%s: the same documents as yaml v2", (_, text) => {
    expect(readYamlStream(text).documents).toEqual(yamlStream(text));
    expect(outcome(() => readYaml(text))).toEqual(outcome(() => parse(text)));
  });

  it("reads kustomize's output on the fast path, and hands aliases, tags, directives and duplicate keys to yaml v2", () => {
    expect(readYamlStream(documents["kustomize output"]!).reader).toBe("fast");
    for (const name of ["anchors and aliases", "merge key", "duplicate key", "numeric key", "proto key", "explicit tags", "directive"]) {
      expect(readYamlStream(documents[name]!).reader, name).toBe("yaml");
    }
  });

  it("a __proto__ key is an own value, never the object's prototype", () => {
    const [doc] = readYamlStream(documents["proto key"]!).documents as Record<string, unknown>[];
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("every YAML fixture of the repository reads as yaml v2 reads it", () => {
    const roots = [join(import.meta.dirname, "../fixtures"), join(import.meta.dirname, "../../../shared/fixtures")];
    const files = roots.flatMap((root) =>
      readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
        .map((e) => join(e.parentPath, e.name)),
    );
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      expect(readYamlStream(text).documents, file).toEqual(yamlStream(text));
      expect(
        outcome(() => readYaml(text)),
        file,
      ).toEqual(outcome(() => parse(text)));
    }
  });
});
