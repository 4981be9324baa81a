// `kustodian contexts` (issue 13): the kube context each environment names, checked against the
// app's kubeconfig (or a list) before a merge needs it.
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copySampleRepo, runCli } from "../helpers/cli.ts";
import { repoRoot } from "../helpers/repo-root.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A kubeconfig with these contexts (one cluster, one user). */
function kubeconfig(contexts: readonly string[]): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:6443' } }]",
    "users: [{ name: u, user: { token: t } }]",
    `contexts: [${contexts.map((c) => `{ name: ${c}, context: { cluster: c, user: u } }`).join(", ")}]`,
    `current-context: ${contexts[0]}`,
    "",
  ].join("\n");
}

describe("kustodian contexts", () => {
  it("--known without dev: exit 1, dev named with its file and line", async () => {
    const dir = await copySampleRepo();
    dirs.push(dir);
    const run = await runCli(dir, "contexts", "--known", "prod, staging");
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      [
        "dev\tenvironments/dev.yaml:7\tdev\tmissing",
        "prod\tenvironments/prod.yaml:9\tprod\tok",
        "staging\tenvironments/staging.yaml:7\tstaging\tok",
        "",
      ].join("\n"),
    );
    expect(run.stderr).toBe(
      'environments/dev.yaml:7: sync.context names kube context "dev", which the kubeconfig (--known) does not have (it has: prod, staging)\n',
    );
  });

  it("--kubeconfig with every context: exit 0; a kubeconfig lacking one names it and the file", async () => {
    const dir = await copySampleRepo();
    dirs.push(dir);
    const all = join(dir, "all.kubeconfig");
    await writeFile(all, kubeconfig(["prod", "staging", "dev"]));
    expect(await runCli(dir, "contexts", "--kubeconfig", all)).toMatchObject({ code: 0, stderr: "" });
    const some = join(dir, "some.kubeconfig");
    await writeFile(some, kubeconfig(["prod", "dev"]));
    const run = await runCli(dir, "contexts", "--kubeconfig", some);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `environments/staging.yaml:7: sync.context names kube context "staging", which the kubeconfig (KUBECONFIG=${some}) does not have (it has: prod, dev)\n`,
    );
  });

  it("a kubeconfig that does not exist: exit 2 saying so", async () => {
    const dir = await copySampleRepo();
    dirs.push(dir);
    const run = await runCli(dir, "contexts", "--kubeconfig", join(dir, "nope"));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `kustodian: KUBECONFIG names ${join(dir, "nope")}, which does not exist; or give the contexts with --known a,b\n`,
    );
  });

  it("a declared layout: app/env keys; a layout context the environment file overrides is shown as unused, not checked", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kustodian-contexts-"));
    dirs.push(dir);
    await cp(join(repoRoot, "test/fixtures/layout/multi-app"), dir, { recursive: true });
    const run = await runCli(dir, "contexts", "--known", "prod,staging");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "blog/prod\tapps/blog/environments/prod.yml:7\tprod\tok",
        "shop/prod\tapps/shop/environments/prod.yaml:7\tprod\tok",
        "shop/staging\tapps/shop/environments/staging.yaml:6\tstaging\tok",
        "blog/prod\t.kustodian/layout.yaml:14\tprod-blog\tunused (the environment file's sync.context wins)",
        "",
      ].join("\n"),
    );
  });
});
