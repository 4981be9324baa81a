import nock from "nock";
import { describe, expect, it } from "vitest";
import { stickyMarker, upsertStickyComment } from "../../src/github/sticky-comment.ts";
import { commentBodyLimit } from "../../src/github/truncate.ts";
import { api, recorder, repo, strictNock, testOctokit } from "./helpers.ts";

strictNock();

const bot = { login: "kustodian[bot]", type: "Bot" };
const person = { login: "octocat", type: "User" };
const commentsPath = "/repos/acme/gitops/issues/7/comments";
const marker = "<!-- kustodian:plan -->";

function comment(id: number, user: { login: string; type: string }, body: string) {
  return { id, user, body, html_url: `https://github.com/acme/gitops/pull/7#issuecomment-${id}` };
}

describe("upsertStickyComment", () => {
  it("creates the comment, with the marker as its first line, when there is none", async () => {
    const rec = recorder();
    nock(api)
      .get(commentsPath)
      .query({ per_page: "100" })
      .reply(200, [comment(1, person, `quoting: ${marker}`)]);
    nock(api)
      .post(commentsPath)
      .reply(201, async (req: Request) => (await rec.take(req), comment(10, bot, "")));

    const result = await upsertStickyComment(testOctokit(), { repo, issueNumber: 7, marker: "plan", body: "## Plan\nv1" });

    expect(result).toEqual({ id: 10, url: "https://github.com/acme/gitops/pull/7#issuecomment-10", created: true, written: true });
    expect(rec.bodies).toEqual([{ body: `${marker}\n## Plan\nv1` }]);
  });

  it("edits the app's comment in place when the body differs, never a person's", async () => {
    const rec = recorder();
    nock(api)
      .get(commentsPath)
      .query({ per_page: "100" })
      .reply(200, [
        comment(1, person, `${marker}\nI pasted the bot's comment`),
        comment(10, bot, `${marker}\n## Plan\nv1`),
        comment(11, bot, `${marker}\n## Plan\nan older duplicate`),
      ]);
    nock(api)
      .patch("/repos/acme/gitops/issues/comments/10")
      .reply(200, async (req: Request) => (await rec.take(req), comment(10, bot, "")));

    const result = await upsertStickyComment(testOctokit(), { repo, issueNumber: 7, marker: "plan", body: "## Plan\nv2" });

    expect(result).toMatchObject({ id: 10, created: false, written: true });
    expect(rec.bodies).toEqual([{ body: `${marker}\n## Plan\nv2` }]);
  });

  it("writes nothing when the body is identical (a redelivered event)", async () => {
    nock(api)
      .get(commentsPath)
      .query({ per_page: "100" })
      .reply(200, [comment(10, bot, `${marker}\r\n## Plan\r\nv2`)]);

    const result = await upsertStickyComment(testOctokit(), { repo, issueNumber: 7, marker: "plan", body: "## Plan\nv2" });

    expect(result).toEqual({ id: 10, url: "https://github.com/acme/gitops/pull/7#issuecomment-10", created: false, written: false });
  });

  it("follows pagination until the first match, and only the given author's comments count", async () => {
    const otherBot = { login: "renovate[bot]", type: "Bot" };
    nock(api)
      .get(commentsPath)
      .query({ per_page: "100" })
      .reply(200, [comment(1, otherBot, `${marker}\nnot ours`)], {
        link: `<${api}${commentsPath}?per_page=100&page=2>; rel="next", <${api}${commentsPath}?per_page=100&page=3>; rel="last"`,
      });
    nock(api)
      .get(commentsPath)
      .query({ per_page: "100", page: "2" })
      .reply(200, [comment(10, bot, `${marker}\nsame`)], {
        link: `<${api}${commentsPath}?per_page=100&page=3>; rel="next", <${api}${commentsPath}?per_page=100&page=3>; rel="last"`,
      });
    // Page 3 is never asked for: the match on page 2 ends the search.

    const result = await upsertStickyComment(testOctokit(), {
      repo,
      issueNumber: 7,
      marker: "plan",
      body: "same",
      author: "kustodian[bot]",
    });

    expect(result).toMatchObject({ id: 10, written: false });
  });

  it("cuts a body over 65,536 characters, keeping the marker and saying so", async () => {
    const rec = recorder();
    nock(api).get(commentsPath).query({ per_page: "100" }).reply(200, []);
    nock(api)
      .post(commentsPath)
      .reply(201, async (req: Request) => (await rec.take(req), comment(10, bot, "")));

    const huge = "<details><summary>diff</summary>\n\n```diff\n" + "+ line of a rendered manifest\n".repeat(5000);
    await upsertStickyComment(testOctokit(), { repo, issueNumber: 7, marker: "plan", body: huge });

    const sent = (rec.bodies[0] as unknown as { body: string }).body;
    expect(sent.length).toBeLessThanOrEqual(commentBodyLimit);
    expect(sent.length).toBeGreaterThan(commentBodyLimit - 200);
    expect(sent.startsWith(`${marker}\n<details>`)).toBe(true);
    expect(sent).toMatch(/```\n\n<\/details>\n\n> \[!NOTE\]\n> Truncated by kustodian: \d+ of \d+ characters are not shown/);
  });

  it("refuses a marker that could break out of the HTML comment", () => {
    expect(stickyMarker("plan:prod")).toBe("<!-- kustodian:plan:prod -->");
    expect(() => stickyMarker("x -->")).toThrow(/Not a sticky comment marker/);
  });
});
