// Issue 15: 1,000 rollouts watched at once (bench/watcher-scale/watcher-process.ts measures; this
// starts it). The watcher process runs as the image runs the server (scripts/node-runtime.ts):
// its Node flags and environment, and a compile cache filled beforehand by importing the same
// modules, as the image build does. NODE_DEFAULTS=1 runs it on plain `node` instead, to compare.
//
// Run: npx node bench/watcher-scale.ts   (Node 24)
//      ROLLOUTS=200 npx node bench/watcher-scale.ts   for a quicker run
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NODE_ENVIRONMENT, NODE_FLAGS } from "../scripts/node-runtime.ts";

const measuring = join(import.meta.dirname, "watcher-scale", "watcher-process.ts");
const defaults = process.env["NODE_DEFAULTS"] === "1";
const cache = mkdtempSync(join(tmpdir(), "kustodian-bench-compile-cache-"));
try {
  const flags = defaults ? [] : NODE_FLAGS;
  const env = defaults ? { ...process.env } : { ...process.env, ...NODE_ENVIRONMENT, NODE_COMPILE_CACHE: cache };
  const settings = defaults
    ? "plain node (NODE_DEFAULTS=1)"
    : `as the image runs the server: node ${flags.join(" ")}, ${Object.entries(NODE_ENVIRONMENT)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}, warm compile cache`;
  console.log(`watcher process: ${settings}`);
  if (!defaults) spawnSync(process.execPath, [...flags, measuring], { env: { ...env, WATCHER_SCALE_IMPORT_ONLY: "1" }, stdio: "inherit" });
  const run = spawnSync(process.execPath, [...flags, measuring], { env, stdio: "inherit" });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(cache, { recursive: true, force: true });
}
