// `npm start` with KUSTODIAN_CONTEXTS naming a context the kubeconfig lacks (issue 13): the server
// stops before it listens, naming the context and the kubeconfig, exit code 2.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { repoRoot } from "../helpers/repo-root.ts";

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("stops at startup naming the context the kubeconfig lacks, and what it has", async () => {
  dir = await mkdtemp(join(tmpdir(), "kustodian-startup-"));
  const kubeconfig = join(dir, "kubeconfig");
  await writeFile(
    kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:6443' } }]",
      "users: [{ name: u, user: { token: t } }]",
      "contexts: [{ name: prod, context: { cluster: c, user: u } }, { name: staging, context: { cluster: c, user: u } }]",
      "current-context: prod",
      "",
    ].join("\n"),
  );
  const app = spawn(process.execPath, ["src/app/server.ts"], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig, KUSTODIAN_CONTEXTS: "prod,prod-eu" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  app.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => app.once("exit", resolve));
  expect(code).toBe(2);
  expect(stderr).toBe(
    [
      `kustodian: KUSTODIAN_CONTEXTS names kube context "prod-eu", which the kubeconfig (KUBECONFIG=${kubeconfig}) does not have (it has: prod, staging)`,
      "kustodian: set KUSTODIAN_WATCH=off to run without the after-merge watch",
      "",
    ].join("\n"),
  );
}, 60_000);
