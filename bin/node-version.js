// The one line kustodian prints on a Node it cannot run on (it runs its TypeScript sources
// directly, which needs Node 24's type stripping), instead of a loader stack trace.

/** The problem with running on `version` (process.versions.node), or undefined on Node 24. */
export function nodeVersionProblem(version) {
  const major = Number(String(version).split(".")[0]);
  if (major === 24) return undefined;
  return `kustodian needs Node.js 24 (this is Node.js ${version}): install Node 24, or run it through npx in a checkout after npm ci.`;
}
