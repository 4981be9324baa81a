import nock from "nock";
import { describe, expect, it } from "vitest";
import { reactToComment, replyToIssue } from "../../src/github/reactions.ts";
import { api, recorder, repo, strictNock, testOctokit } from "./helpers.ts";

strictNock();

describe("reactions and replies", () => {
  it("reacts to a comment in one call", async () => {
    const rec = recorder();
    nock(api)
      .post("/repos/acme/gitops/issues/comments/901/reactions")
      .reply(201, async (req: Request) => (await rec.take(req), { id: 1, content: "eyes" }));
    await reactToComment(testOctokit(), { repo, commentId: 901, content: "eyes" });
    expect(rec.bodies).toEqual([{ content: "eyes" }]);
  });

  it("accepts GitHub's 200 for a reaction that already exists", async () => {
    nock(api).post("/repos/acme/gitops/issues/comments/901/reactions").reply(200, { id: 1, content: "+1" });
    await reactToComment(testOctokit(), { repo, commentId: 901, content: "+1" });
  });

  it("replies on the issue in one call", async () => {
    const rec = recorder();
    nock(api)
      .post("/repos/acme/gitops/issues/7/comments")
      .reply(
        201,
        async (req: Request) => (await rec.take(req), { id: 77, html_url: "https://github.com/acme/gitops/pull/7#issuecomment-77" }),
      );
    const result = await replyToIssue(testOctokit(), { repo, issueNumber: 7, body: "Scaled wordpress in prod to 6." });
    expect(result).toEqual({ id: 77, url: "https://github.com/acme/gitops/pull/7#issuecomment-77" });
    expect(rec.bodies).toEqual([{ body: "Scaled wordpress in prod to 6." }]);
  });
});
