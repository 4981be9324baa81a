// npm scripts must run on the Node 24 that the `node` devDependency installs, not the machine's.
const major = Number(process.versions.node.split(".")[0]);
if (major !== 24) {
  console.error(
    `kustodian needs Node 24; this is Node ${process.versions.node}. Run it through npm (npm test, npx kustodian) after npm ci.`,
  );
  process.exit(1);
}
