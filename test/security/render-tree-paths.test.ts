// Crafted git trees (issue 11: the CLI wrote files outside its temp dir from `..` tree entries).
// git's object store accepts an entry named `..` (`git mktree` writes one), so a commit can hold
// `base/../../x`; `kustodian plan` materialises trees under a temp dir and must refuse it, and
// symbolic links, before anything is written.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { access, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { applyChanges } from "../../src/repo/fs-snapshot.ts";
import { UnsafeTreeEntryError, unsafeTreePath } from "../../src/repo/safe-tree-path.ts";
import { runCli } from "../helpers/cli.ts";
import { git, sampleGitRepo } from "../helpers/git-repo.ts";

const run = promisify(execFile);

async function hashObject(dir: string, type: "blob" | "tree", data: Buffer): Promise<string> {
  const child = run("git", ["-C", dir, "hash-object", "-w", "-t", type, "--literally", "--stdin"]);
  child.child.stdin!.end(data);
  return (await child).stdout.trim();
}

/** A tree object from entries, written as git would (no checks: that is the point). */
async function tree(dir: string, entries: [mode: string, name: string, sha: string][]): Promise<string> {
  const sorted = [...entries].sort(([, a], [, b]) => (a < b ? -1 : 1));
  return hashObject(
    dir,
    "tree",
    Buffer.concat(sorted.map(([mode, name, sha]) => Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(sha, "hex")]))),
  );
}

/** A branch whose commit is main's tree plus `base/<entries>`. */
async function craftedBranch(dir: string, branch: string, baseEntries: [string, string, string][]): Promise<string> {
  const mainTree = await git(dir, "rev-parse", "main^{tree}");
  const baseTree = await git(dir, "rev-parse", "main:base");
  const existing = (await git(dir, "ls-tree", baseTree)).split("\n").map((line) => {
    const [meta, name] = line.split("\t");
    const [mode, , sha] = meta!.split(" ");
    return [mode!, name!, sha!] as [string, string, string];
  });
  const newBase = await tree(dir, [...existing, ...baseEntries]);
  const top = (await git(dir, "ls-tree", mainTree)).split("\n").map((line) => {
    const [meta, name] = line.split("\t");
    const [mode, , sha] = meta!.split(" ");
    return (name === "base" ? ["40000", "base", newBase] : [mode!.replace(/^0/, ""), name!, sha!]) as [string, string, string];
  });
  const commit = await git(dir, "commit-tree", await tree(dir, top), "-p", "main", "-m", "crafted");
  await git(dir, "update-ref", `refs/heads/${branch}`, commit);
  return commit;
}

describe("crafted trees in `kustodian plan`", () => {
  it("refuses a `..` entry and writes nothing outside its temp dir", async () => {
    const dir = await sampleGitRepo();
    const name = `kustodian-escaped-${randomUUID()}.yaml`;
    const blob = await hashObject(dir, "blob", Buffer.from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: escaped\n"));
    // base/.. /.. /<name>: two levels up from base/ is the parent of the temp dir the CLI renders in.
    const inner = await tree(dir, [["100644", name, blob]]);
    const up1 = await tree(dir, [["40000", "..", inner]]);
    await craftedBranch(dir, "evil", [["40000", "..", up1]]);
    expect(await git(dir, "ls-tree", "-r", "--name-only", "evil")).toContain(`base/../../${name}`);

    const result = await runCli(dir, "plan", "--base", "main", "--head", "evil");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`"base/../../${name}" contains a \`..\` segment; kustodian refuses the tree`);
    await expect(access(join(tmpdir(), name))).rejects.toMatchObject({ code: "ENOENT" });
    await expect(access(join(tmpdir(), "..", name))).rejects.toMatchObject({ code: "ENOENT" });
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a symbolic link under base/ with a clear message", async () => {
    const dir = await sampleGitRepo();
    const target = await hashObject(dir, "blob", Buffer.from("/etc/passwd"));
    await craftedBranch(dir, "link", [["120000", "passwd.yaml", target]]);
    const result = await runCli(dir, "plan", "--base", "main", "--head", "link");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"base/passwd.yaml" is a symbolic link (kustodian reads regular files only)');
    await rm(dir, { recursive: true, force: true });
  });
});

describe("writing a file map to disk", () => {
  it.each([
    ["base/../../x.yaml", "contains a `..` segment"],
    ["/etc/x.yaml", "is an absolute path"],
    ["base//x.yaml", "contains an empty or `.` segment"],
    ["base/./x.yaml", "contains an empty or `.` segment"],
    ["base/x.yaml", undefined],
  ])("unsafeTreePath(%s)", (path, reason) => expect(unsafeTreePath(path)).toBe(reason));

  it("refuses the whole change set before writing anything when one path leaves the directory", async () => {
    const root = await mkdtemp(join(tmpdir(), "kustodian-apply-"));
    const changes = [
      { path: "overlays/dev/kustomization.yaml", after: "resources: []\n" },
      { path: "overlays/../../escaped.yaml", after: "x: 1\n" },
    ];
    await expect(applyChanges(root, changes)).rejects.toBeInstanceOf(UnsafeTreeEntryError);
    expect(await readdir(root)).toEqual([]);
    await rm(root, { recursive: true, force: true });
  });
});
