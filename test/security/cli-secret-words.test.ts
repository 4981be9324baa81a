// The CLI masks with the same secret key words as the app: the defaults plus `secrets.keyWords` of
// `.github/kustodian.yml` (issue 11). A repository that names its connection strings `*_DSN` and
// says so in its config gets them masked in `kustodian plan` too, not only on the pull request.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { branchWith, git, sampleGitRepo, type Edit } from "../helpers/git-repo.ts";

const dsn = "mysql://wp:Hunter2-hunter2@db.internal/wordpress";
let dir: string;

async function commitConfig(text: string): Promise<void> {
  await mkdir(join(dir, ".github"), { recursive: true });
  await writeFile(join(dir, ".github/kustodian.yml"), text);
  await git(dir, "add", ".github/kustodian.yml");
  await git(dir, "commit", "-qm", "kustodian config");
}

beforeEach(async () => {
  dir = await sampleGitRepo();
});

const addDsn: Edit[] = [["environments/staging.yaml", 'WORDPRESS_DEBUG: "0"', `WORDPRESS_DEBUG: "0"\n      WORDPRESS_DB_DSN: "${dsn}"`]];

it("kustodian plan masks a config value whose key holds a configured word, in markdown and JSON", async () => {
  await commitConfig("secrets:\n  keyWords: [dsn]\n");
  await branchWith(dir, "add-dsn", addDsn);
  for (const format of ["markdown", "json"]) {
    const run = await runCli(dir, "plan", "--base", "main", "--format", format);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("WORDPRESS_DB_DSN");
    expect(run.stdout).toContain("<masked>");
    expect(run.stdout).not.toContain("Hunter2");
  }
});

it("without the configured word the same value is shown (the word is what masks it)", async () => {
  await branchWith(dir, "add-dsn", addDsn);
  const run = await runCli(dir, "plan", "--base", "main", "--format", "markdown");
  expect(run.stdout).toContain("Hunter2-hunter2");
});

it("an invalid .github/kustodian.yml stops the plan with a located problem instead of planning with the defaults", async () => {
  await commitConfig("secrets:\n  keyWord: [dsn]\n");
  await branchWith(dir, "add-dsn", addDsn);
  const run = await runCli(dir, "plan", "--base", "main");
  expect(run.code).toBe(1);
  expect(run.stdout).toBe("");
  expect(run.stderr).toContain(".github/kustodian.yml:2:3 secrets.keyWord: unknown field");
});
