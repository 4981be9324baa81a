#!/usr/bin/env node
// Node 24 runs the TypeScript sources directly (type stripping); no build step. The version is
// checked before any TypeScript is imported, so an older Node prints one line, not a stack trace.
import { nodeVersionProblem } from "./node-version.js";

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
