// `npm run bench`: every benchmark in bench/, one after the other (they print ratios; none asserts).
// revert-latency.ts runs the app, the simulator and the GitHub stand-in as processes in real time
// (about 1.5 minutes per run of its three failures, RUNS=3 by default): `npm run bench -- plan verdict` leaves it out.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const only = process.argv.slice(2);
const benches = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts")
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const bench of benches) {
  console.log(`\n== ${bench}`);
  const result = spawnSync(process.execPath, [join(import.meta.dirname, bench)], { stdio: "inherit" });
  if (result.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
