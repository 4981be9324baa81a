// `npm test`: type-check, lint and the test suite, run at the same time. tsc and eslint are
// single-threaded and take ~15 s each; run one after the other before vitest they leave a core
// idle for half a minute on a 2-core machine. Their output is printed when they finish (vitest's
// streams as it runs); the exit code is non-zero when any of the three fails.
import { spawn } from "node:child_process";

interface Step {
  name: string;
  command: string;
  args: string[];
  stream: boolean;
}

const steps: Step[] = [
  { name: "type-check", command: "tsc", args: ["-p", "tsconfig.json"], stream: false },
  { name: "lint", command: "npm", args: ["run", "--silent", "lint"], stream: false },
  { name: "tests", command: "vitest", args: ["run", ...process.argv.slice(2)], stream: true },
];

const started = performance.now();

function run(step: Step): Promise<{ step: Step; code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(step.command, step.args, { stdio: step.stream ? "inherit" : ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => resolve({ step, code: 1, output: `${output}${error.message}\n` }));
    child.on("close", (code, signal) => resolve({ step, code: code ?? (signal ? 1 : 0), output }));
  });
}

const results = await Promise.all(steps.map(run));
for (const { step, output } of results) {
  if (!step.stream && output.trim()) process.stdout.write(`\n--- ${step.name} ---\n${output}`);
}
const failed = results.filter((r) => r.code !== 0).map((r) => r.step.name);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  failed.length
    ? `\nnpm test: FAILED (${failed.join(", ")}) after ${seconds} s`
    : `\nnpm test: type-check, lint and tests passed in ${seconds} s`,
);
process.exit(failed.length ? 1 : 0);
