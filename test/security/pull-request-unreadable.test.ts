// A symbolic link under base/ or a 2 MB environment file in a pull request (issue 11: the job
// ended with an ERROR log line and nothing on the PR, so a required check stayed pending): the
// PR gets a failing kustodian/plan check and a comment naming the file and what to do.
import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliverPullRequestOpened, openBranch, startHarness, type Harness } from "../app/harness.ts";
import { git } from "../helpers/git-repo.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => {
  h.github.uninstall();
  expect(h.github.unmatched).toEqual([]);
});

const deliver = (branch: string, headSha: string) => deliverPullRequestOpened(h, branch, headSha, { title: "Change" });

describe("a pull request kustodian cannot read", () => {
  it("a symbolic link under base/: failing check, and the comment names the file", async () => {
    await git(h.dir, "checkout", "-q", "-B", "link", "main");
    await symlink("../../../../etc/passwd", join(h.dir, "base/passwd.yaml"));
    await git(h.dir, "add", "base/passwd.yaml");
    await git(h.dir, "commit", "-qm", "link");
    const headSha = await git(h.dir, "rev-parse", "HEAD");
    await git(h.dir, "checkout", "-q", "main");

    await deliver("link", headSha);
    expect(h.github.checkRuns.at(-1)).toMatchObject({ head_sha: headSha, name: "kustodian/plan", conclusion: "failure" });
    expect(h.github.checkRuns.at(-1)!.output.title).toBe("Cannot read base/passwd.yaml");
    const comment = h.github.comments.get(7)!.at(-1)!.body;
    expect(comment).toContain("base/passwd.yaml: is a symbolic link, not a file");
    expect(comment).toContain("replace the link with the file itself");
    expect(comment).not.toContain("root:");
  });

  it("a 2 MB environment file: failing check, and the comment says how large it is", async () => {
    const headSha = await openBranch(h.dir, "huge", (text) => `${text}# ${"x".repeat(2 * 1024 * 1024)}\n`);
    await deliver("huge", headSha);
    expect(h.github.checkRuns.at(-1)).toMatchObject({
      head_sha: headSha,
      conclusion: "failure",
      output: { title: "Cannot read environments/staging.yaml" },
    });
    const comment = h.github.comments.get(7)!.at(-1)!.body;
    expect(comment).toMatch(/environments\/staging\.yaml: is \d+ bytes, more than the 1048576 kustodian reads/);
    expect(h.github.head("huge")).toBe(headSha);
  });

  // Binary files, read through GraphQL (Blob.isBinary, text null): the layout file comes with the
  // event's context query (prefetched by expression), base/ with the blob query; both are refused
  // with their path, and nothing binary reaches the cache, the render or the comment.
  for (const path of [".kustodian/layout.yaml", "base/logo.yaml"]) {
    it(`a binary ${path}: failing check naming the file`, async () => {
      const { mkdir, writeFile } = await import("node:fs/promises");
      const { dirname } = await import("node:path");
      await git(h.dir, "checkout", "-q", "-B", "binary", "main");
      await mkdir(join(h.dir, dirname(path)), { recursive: true });
      await writeFile(join(h.dir, path), Buffer.from([0x61, 0x70, 0x70, 0x73, 0x3a, 0x00, 0xff, 0x0a]));
      await git(h.dir, "add", path);
      await git(h.dir, "commit", "-qm", "binary");
      const headSha = await git(h.dir, "rev-parse", "HEAD");
      await git(h.dir, "checkout", "-q", "main");

      await deliver("binary", headSha);
      expect(h.github.checkRuns.at(-1)).toMatchObject({
        head_sha: headSha,
        conclusion: "failure",
        output: { title: `Cannot read ${path}` },
      });
      const comment = h.github.comments.get(7)!.at(-1)!.body;
      expect(comment).toContain(`${path}: is a binary file; kustodian reads only text`);
      expect(h.github.head("binary")).toBe(headSha);
    });
  }
});
