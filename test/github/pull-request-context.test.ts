import nock from "nock";
import { describe, expect, it } from "vitest";
import { BlobCache, gitBlobId } from "../../src/github/blob-cache.ts";
import { readPullRequestContext, type PullRequestContextRequest } from "../../src/github/pull-request-context.ts";
import { api, recorder, repo, sha, strictNock, testOctokit } from "./helpers.ts";

strictNock();

const request: PullRequestContextRequest = {
  repo,
  number: 7,
  configPath: ".github/kustodian.yml",
  headRef: "bump",
  issueLabel: "kustodian/freeze",
  prefetch: { commits: [sha("b"), sha("h")], paths: [".kustodian/layout.yaml"] },
};

const blob = (text: string) => ({ oid: gitBlobId(text), text, isBinary: false, isTruncated: false, byteSize: Buffer.byteLength(text) });
const orgMissing = [{ type: "NOT_FOUND", path: ["org"], message: "Could not resolve to a Repository with the name 'acme/.github'." }];

function repository(overrides: Record<string, unknown> = {}) {
  return {
    config: null,
    pullRequest: { comments: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] } },
    head: { refUpdateRule: null },
    issues: { nodes: [] },
    p0: null,
    p1: null,
    ...overrides,
  };
}

describe("readPullRequestContext", () => {
  it("asks everything in ONE query, with every input a variable; a missing organisation .github repository is no configuration", async () => {
    const rec = recorder();
    nock(api)
      .post("/graphql")
      .reply(200, async (req: Request) => {
        await rec.take(req);
        return { data: { repository: repository(), org: null }, errors: orgMissing };
      });
    const context = await readPullRequestContext(testOctokit(), request);
    expect(context).toEqual({ config: undefined, comments: [], headProtected: false, issues: [] });
    const [body] = rec.bodies;
    expect(body!.variables).toEqual({
      owner: "acme",
      name: "gitops",
      number: 7,
      config: "HEAD:.github/kustodian.yml",
      headRef: "refs/heads/bump",
      label: "kustodian/freeze",
      p0: `${sha("b")}:.kustodian/layout.yaml`,
      p1: `${sha("h")}:.kustodian/layout.yaml`,
    });
    // Nothing from the pull request is spliced into the query text.
    expect(body!.query).not.toContain("bump");
    expect(body!.query).not.toContain(sha("h"));
  });

  it("the repository's configuration wins over the organisation's; the organisation's is used when the repository has none", async () => {
    nock(api)
      .post("/graphql")
      .reply(200, { data: { repository: repository({ config: blob("scale: {}\n") }), org: { config: blob("org: 1\n") } } });
    expect((await readPullRequestContext(testOctokit(), request)).config).toEqual({ repo: "gitops", text: "scale: {}\n" });
    nock(api)
      .post("/graphql")
      .reply(200, { data: { repository: repository(), org: { config: blob("org: 1\n") } } });
    expect((await readPullRequestContext(testOctokit(), request)).config).toEqual({ repo: ".github", text: "org: 1\n" });
  });

  it("a binary or oversized configuration is reported as unreadable, not taken", async () => {
    nock(api)
      .post("/graphql")
      .reply(200, {
        data: {
          repository: repository({ config: { oid: sha("c"), text: null, isBinary: true, isTruncated: false, byteSize: 10 } }),
          org: null,
        },
        errors: orgMissing,
      });
    expect((await readPullRequestContext(testOctokit(), request)).config).toEqual({ repo: "gitops", unreadable: "is a binary file" });
    nock(api)
      .post("/graphql")
      .reply(200, {
        data: {
          repository: repository({ config: { oid: sha("c"), text: null, isBinary: false, isTruncated: true, byteSize: 5_000_000 } }),
          org: null,
        },
        errors: orgMissing,
      });
    expect((await readPullRequestContext(testOctokit(), request)).config).toMatchObject({
      unreadable: expect.stringContaining("5000000 bytes"),
    });
  });

  it("any other GraphQL error is thrown (a repository it cannot see is not 'no configuration')", async () => {
    nock(api)
      .post("/graphql")
      .reply(200, {
        data: { repository: null, org: null },
        errors: [{ type: "NOT_FOUND", path: ["repository"], message: "Could not resolve to a Repository with the name 'acme/gitops'." }],
      });
    await expect(readPullRequestContext(testOctokit(), request)).rejects.toThrow(/acme\/gitops/);
  });

  it("the head's protection: a rule that applies, or a branch that does not exist, count as protected", async () => {
    nock(api)
      .post("/graphql")
      .reply(200, { data: { repository: repository({ head: { refUpdateRule: { pattern: "bump*" } } }), org: null }, errors: orgMissing });
    expect((await readPullRequestContext(testOctokit(), request)).headProtected).toBe(true);
    nock(api)
      .post("/graphql")
      .reply(200, { data: { repository: repository({ head: null }), org: null }, errors: orgMissing });
    expect((await readPullRequestContext(testOctokit(), request)).headProtected).toBe(true);
    const rec = recorder();
    nock(api)
      .post("/graphql")
      .reply(200, async (req: Request) => {
        await rec.take(req);
        return { data: { repository: repository({ head: undefined }), org: null }, errors: orgMissing };
      });
    const { headRef: _, ...unasked } = request;
    expect((await readPullRequestContext(testOctokit(), unasked)).headProtected).toBeUndefined();
    expect(rec.bodies[0]!.query).not.toContain("refUpdateRule");
  });

  it("comments and issues in the REST shape (a bot's login ends in [bot]); more than 100 comments are paged", async () => {
    const node = (id: number, login: string, typename: string) => ({
      fullDatabaseId: String(3_000_000_000 + id),
      url: `https://github.com/acme/gitops/pull/7#issuecomment-${id}`,
      body: `comment ${id}`,
      author: { __typename: typename, login },
    });
    nock(api)
      .post("/graphql", (b: { query: string }) => b.query.includes("kustodianPullRequestContext"))
      .reply(200, {
        data: {
          repository: repository({
            pullRequest: {
              comments: {
                pageInfo: { hasNextPage: true, endCursor: "c100" },
                nodes: Array.from({ length: 100 }, (_, i) => node(i, i === 0 ? "kustodian" : "octocat", i === 0 ? "Bot" : "User")),
              },
            },
            issues: {
              nodes: [
                {
                  number: 5,
                  title: "Deployment freeze: prod",
                  body: "b",
                  url: "u",
                  createdAt: "2026-01-01T00:00:00Z",
                  author: { __typename: "Bot", login: "kustodian" },
                },
              ],
            },
          }),
          org: null,
        },
        errors: orgMissing,
      });
    const rec = recorder();
    nock(api)
      .post("/graphql", (b: { query: string }) => b.query.includes("kustodianPullRequestComments"))
      .reply(200, async (req: Request) => {
        await rec.take(req);
        return {
          data: {
            repository: {
              pullRequest: { comments: { pageInfo: { hasNextPage: false, endCursor: "c101" }, nodes: [node(100, "renovate", "Bot")] } },
            },
          },
        };
      });
    const context = await readPullRequestContext(testOctokit(), request);
    expect(context.comments).toHaveLength(101);
    expect(context.comments[0]).toEqual({
      id: 3_000_000_000,
      html_url: "https://github.com/acme/gitops/pull/7#issuecomment-0",
      body: "comment 0",
      user: { login: "kustodian[bot]", type: "Bot" },
    });
    expect(context.comments[1]!.user).toEqual({ login: "octocat", type: "User" });
    expect(context.comments[100]!.user).toEqual({ login: "renovate[bot]", type: "Bot" });
    expect(rec.bodies[0]!.variables).toMatchObject({ number: 7, after: "c100" });
    expect(context.issues).toEqual([
      {
        number: 5,
        title: "Deployment freeze: prod",
        body: "b",
        url: "u",
        createdAt: "2026-01-01T00:00:00Z",
        author: { login: "kustodian[bot]", type: "Bot" },
      },
    ]);
  });

  it("prefetched files go into the blob cache by object id; binary or oversized ones do not", async () => {
    const cache = new BlobCache({ maxEntries: 10, maxBytes: 1 << 20 });
    const layout = "apps:\n  web: {}\n";
    nock(api)
      .post("/graphql")
      .reply(200, {
        data: {
          repository: repository({
            p0: blob(layout),
            p1: { oid: sha("e"), text: "x".repeat(50), isBinary: false, isTruncated: false, byteSize: 50 },
          }),
          org: null,
        },
        errors: orgMissing,
      });
    await readPullRequestContext(testOctokit(), { ...request, cache, maxFileBytes: 40 });
    expect(cache.get(gitBlobId(layout))).toBe(layout);
    expect(cache.get(sha("e"))).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});
