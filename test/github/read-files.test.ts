import { createHash } from "node:crypto";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { BlobCache } from "../../src/github/blob-cache.ts";
import { blobsQuery, readFilesAt, TreeTruncatedError, UnreadableFileError } from "../../src/github/read-files.ts";
import { api, recorder, repo, sha, strictNock, testOctokit } from "./helpers.ts";

strictNock();

const commit = sha("c");
const treeSha = sha("7");

/** The git blob id of a text, as git computes it. */
function blobId(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

interface FakeFile {
  path: string;
  text: string;
  mode?: string;
  binary?: boolean;
}

function treeEntries(files: FakeFile[]) {
  return [
    { path: "environments", mode: "040000", type: "tree", sha: sha("e") },
    { path: "vendor/lib", mode: "160000", type: "commit", sha: sha("9") },
    ...files.map((f) => ({ path: f.path, mode: f.mode ?? "100644", type: "blob", sha: blobId(f.text), size: Buffer.byteLength(f.text) })),
  ];
}

function mockTree(files: FakeFile[], truncated = false) {
  return nock(api)
    .get(`/repos/acme/gitops/git/trees/${commit}`)
    .query({ recursive: "1" })
    .reply(200, { sha: treeSha, url: "", tree: treeEntries(files), truncated });
}

/** Answers the blobs query from `files` by object id, recording each request. */
function mockBlobs(files: FakeFile[], rec: ReturnType<typeof recorder>, times = 1) {
  const byId = new Map(files.map((f) => [blobId(f.text), f]));
  return nock(api)
    .post("/graphql")
    .times(times)
    .reply(200, async (req: Request) => {
      const { variables } = await rec.take(req);
      const repository: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(variables)) {
        if (!/^b\d+$/.test(name)) continue;
        const f = byId.get(String(value));
        repository[name] = f
          ? { text: f.binary ? null : f.text, isBinary: f.binary ?? false, isTruncated: false, byteSize: Buffer.byteLength(f.text) }
          : null;
      }
      return { data: { repository } };
    });
}

function envFiles(n: number): FakeFile[] {
  return Array.from({ length: n }, (_, i) => ({
    path: `environments/env-${String(i).padStart(2, "0")}.yaml`,
    text: `namespace: env-${i}\n`,
  }));
}

const isEnvironmentFile = (p: string) => p.startsWith("environments/");

describe("readFilesAt", () => {
  it("reads 3 wanted files in 2 calls: the recursive tree, then one GraphQL request for the blobs", async () => {
    const files = [...envFiles(3), { path: "README.md", text: "# not wanted\n" }];
    const rec = recorder();
    const tree = mockTree(files);
    const blobs = mockBlobs(files, rec);

    const result = await readFilesAt(testOctokit(), repo, commit, isEnvironmentFile);

    expect(tree.isDone() && blobs.isDone()).toBe(true);
    expect(result.treeSha).toBe(treeSha);
    expect([...result.files]).toEqual(envFiles(3).map((f) => [f.path, f.text]));
    // Every regular file is listed by blob id, wanted or not; trees and submodules are not files.
    expect([...result.blobs.keys()]).toEqual([...envFiles(3).map((f) => f.path), "README.md"]);
    expect(rec.bodies).toHaveLength(1);
    expect(rec.bodies[0]!.variables).toEqual({
      owner: "acme",
      name: "gitops",
      b0: blobId("namespace: env-0\n"),
      b1: blobId("namespace: env-1\n"),
      b2: blobId("namespace: env-2\n"),
    });
    expect(rec.bodies[0]!.query).toBe(blobsQuery(3));
    expect(rec.bodies[0]!.query).toContain("b2: object(oid: $b2) { ... on Blob { text isBinary isTruncated byteSize } }");
  });

  it("still makes 2 calls for 30 files", async () => {
    const files = envFiles(30);
    const rec = recorder();
    mockTree(files);
    mockBlobs(files, rec);

    const result = await readFilesAt(testOctokit(), repo, commit, isEnvironmentFile);

    expect(result.files.size).toBe(30);
    expect(rec.bodies).toHaveLength(1);
    expect(Object.keys(rec.bodies[0]!.variables)).toHaveLength(32);
  });

  it("asks for at most 100 blobs per GraphQL request", async () => {
    const files = Array.from({ length: 150 }, (_, i) => ({ path: `overlays/prod/f${i}.yaml`, text: `n: ${i}\n` }));
    const rec = recorder();
    mockTree(files);
    mockBlobs(files, rec, 2);

    const result = await readFilesAt(testOctokit(), repo, commit, () => true);

    expect(result.files.size).toBe(150);
    expect(rec.bodies.map((b) => Object.keys(b.variables).length - 2)).toEqual([100, 50]);
  });

  it("reads blobs it has seen before from the cache: a second read is the tree alone", async () => {
    const files = envFiles(3);
    const rec = recorder();
    mockTree(files);
    mockBlobs(files, rec);
    const octokit = testOctokit();
    await readFilesAt(octokit, repo, commit, isEnvironmentFile);

    mockTree(files);
    const again = await readFilesAt(octokit, repo, commit, isEnvironmentFile);

    expect(rec.bodies).toHaveLength(1);
    expect([...again.files.values()]).toEqual(files.map((f) => f.text));
  });

  it("asks only for the blobs not cached, and once for files with identical content", async () => {
    const cache = new BlobCache({ maxEntries: 100, maxBytes: 1 << 20 });
    cache.set(blobId("namespace: env-0\n"), "namespace: env-0\n");
    const files = [...envFiles(2), { path: "environments/copy.yaml", text: "namespace: env-1\n" }];
    const rec = recorder();
    mockTree(files);
    mockBlobs(files, rec);

    const result = await readFilesAt(testOctokit(), repo, commit, isEnvironmentFile, { cache });

    expect(rec.bodies[0]!.variables).toEqual({ owner: "acme", name: "gitops", b0: blobId("namespace: env-1\n") });
    expect(result.files.get("environments/copy.yaml")).toBe("namespace: env-1\n");
    expect(result.files.get("environments/env-00.yaml")).toBe("namespace: env-0\n");
  });

  it("makes no GraphQL request when nothing is wanted", async () => {
    mockTree(envFiles(2));
    const result = await readFilesAt(testOctokit(), repo, commit, () => false);
    expect(result.files.size).toBe(0);
    expect(result.blobs.size).toBe(2);
  });

  it("throws TreeTruncatedError when GitHub truncates the tree, and reads no blob", async () => {
    mockTree(envFiles(3), true);
    const error = await readFilesAt(testOctokit(), repo, commit, isEnvironmentFile).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TreeTruncatedError);
    expect((error as Error).message).toMatch(/acme\/gitops .* is truncated/);
  });

  it("refuses a binary wanted file, naming it", async () => {
    const files = [...envFiles(1), { path: "environments/logo.yaml", text: "\u0000PNG", binary: true }];
    const rec = recorder();
    mockTree(files);
    mockBlobs(files, rec);

    const error = await readFilesAt(testOctokit(), repo, commit, isEnvironmentFile).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnreadableFileError);
    expect(error).toMatchObject({ path: "environments/logo.yaml", reason: "binary" });
  });

  it("refuses an oversized wanted file from its size in the tree, without reading it", async () => {
    const files = [{ path: "environments/huge.yaml", text: "x".repeat(2048) }];
    mockTree(files);
    const error = await readFilesAt(testOctokit(), repo, commit, isEnvironmentFile, { maxFileBytes: 1024 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "UnreadableFileError", path: "environments/huge.yaml", reason: "oversized" });
  });

  it("refuses a blob GitHub returns truncated", async () => {
    const text = "a: 1\n";
    nock(api)
      .get(`/repos/acme/gitops/git/trees/${commit}`)
      .query({ recursive: "1" })
      .reply(200, {
        sha: treeSha,
        truncated: false,
        tree: [{ path: "environments/a.yaml", mode: "100644", type: "blob", sha: blobId(text), size: 5 }],
      });
    nock(api)
      .post("/graphql")
      .reply(200, { data: { repository: { b0: { text: "a:", isBinary: false, isTruncated: true, byteSize: 5 } } } });
    const error = await readFilesAt(testOctokit(), repo, commit, isEnvironmentFile).catch((e: unknown) => e);
    expect(error).toMatchObject({ path: "environments/a.yaml", reason: "oversized" });
  });

  it("refuses a wanted symlink", async () => {
    mockTree([{ path: "environments/prod.yaml", text: "staging.yaml", mode: "120000" }]);
    const error = await readFilesAt(testOctokit(), repo, commit, isEnvironmentFile).catch((e: unknown) => e);
    expect(error).toMatchObject({ path: "environments/prod.yaml", reason: "symlink" });
  });
});

describe("BlobCache", () => {
  it("evicts the least recently used blob past its entry bound", () => {
    const cache = new BlobCache({ maxEntries: 2, maxBytes: 1000 });
    cache.set("a", "1");
    cache.set("b", "2");
    cache.get("a");
    cache.set("c", "3");
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual(["1", undefined, "3"]);
  });

  it("evicts past its byte bound and never holds a blob larger than the bound", () => {
    const cache = new BlobCache({ maxEntries: 100, maxBytes: 10 });
    cache.set("a", "12345");
    cache.set("b", "12345");
    cache.set("c", "1");
    expect(cache.get("a")).toBeUndefined();
    expect(cache.bytes).toBe(6);
    cache.set("big", "x".repeat(11));
    expect(cache.get("big")).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it("counts UTF-8 bytes", () => {
    const cache = new BlobCache({ maxEntries: 10, maxBytes: 100 });
    cache.set("a", "é");
    expect(cache.bytes).toBe(2);
    cache.set("a", "ab");
    expect(cache.bytes).toBe(2);
    expect(cache.size).toBe(1);
  });
});
