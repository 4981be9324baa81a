// Masking Secret values in a long text stays linear in the text, however many Secrets there are
// (issue 11): ONE pass for all values (src/text/literal-matcher.ts). Times redact() for
// 10 / 100 / 1,000 / 10,000 values over the same ~1 MB text, and for 1,000 values over 1 / 4 MB;
// prints the ratios (goal: ~1 for more values, ~4 for 4x the text). The split/join it replaced
// made both ratios grow with the number of values. Run with `npm run bench secret`.
import { cpus, loadavg } from "node:os";
import type { KubeObject } from "../src/k8s/manifest-types.ts";
import { redact, sensitiveValues } from "../src/plan/secret-values.ts";

const secretsOf = (n: number): KubeObject[] =>
  Array.from({ length: n }, (_, i) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: `s${i}` },
    stringData: { value: `Secret-Value-${i.toString(36).padStart(6, "0")}` },
  })) as unknown as KubeObject[];

/** ~`megabytes` of plan-like text, with one value of the set (when any) on every 100th line. */
function textOf(megabytes: number, values: readonly string[]): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < megabytes * 1024 * 1024; i++) {
    const line =
      i % 100 === 0 && values.length
        ? `+  DB_URL: mysql://wordpress:${values[i % values.length]}@mysql/wordpress`
        : `+  - name: WORDPRESS_CONFIG_${i}  value: "plain value number ${i} of the rendered manifest"`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join("\n");
}

function median(samples: number[]): number {
  return [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

/** Median ms of redact() over `rounds` runs (the matcher is built once per set, as in the app). */
function time(count: number, megabytes: number, rounds = 5): number {
  const hidden = sensitiveValues(secretsOf(count));
  const text = textOf(megabytes, [...hidden].slice(0, 50));
  redact(text, hidden); // builds the matcher
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    const out = redact(text, hidden);
    samples.push(performance.now() - started);
    if (out.includes("Secret-Value-")) throw new Error("a value was left unmasked");
  }
  return median(samples);
}

console.log(`load ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
const base = time(10, 1);
for (const count of [100, 1000, 10000]) console.log(`${count} values vs 10 over 1 MB: ${(time(count, 1) / base).toFixed(2)}x`);
const one = time(1000, 1);
console.log(`1,000 values over 4 MB vs 1 MB: ${(time(1000, 4) / one).toFixed(2)}x (linear: 4)`);
