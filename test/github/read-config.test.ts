// readConfigText: the repository's own config file, else the organisation's `.github`
// repository's; side by side (the verdict-to-revert path) both are asked before either answers.
import nock from "nock";
import { describe, expect, it } from "vitest";
import { readConfigText } from "../../src/github/read-config.ts";
import { api, repo, strictNock, testOctokit } from "./helpers.ts";

strictNock();

const path = ".github/kustodian.yml";
const own = `/repos/acme/gitops/contents/${encodeURIComponent(path)}`;
const organisation = `/repos/acme/.github/contents/${encodeURIComponent(path)}`;

describe("readConfigText", () => {
  it("one after the other by default: the repository's own file, the organisation's not asked", async () => {
    nock(api).get(own).reply(200, "rollout:\n  autoRevert: false\n");
    expect(await readConfigText(testOctokit(), repo, path)).toEqual({ text: "rollout:\n  autoRevert: false\n", repo: "gitops" });
  });

  it("side by side: both asked before the repository's answer, which wins", async () => {
    const events: string[] = [];
    let organisationAsked!: () => void;
    const asked = new Promise<void>((resolve) => (organisationAsked = resolve));
    nock(api)
      .get(own)
      .reply(async () => {
        events.push("own asked");
        // Answers once the organisation's file has been asked for (or after 2 s, asked one after the other).
        await Promise.race([asked, new Promise((resolve) => setTimeout(resolve, 2000))]);
        events.push("own answered");
        return [200, "holdLabel: keep\n"];
      })
      .get(organisation)
      .reply(() => {
        events.push("organisation asked");
        organisationAsked();
        return [404, { message: "Not Found" }];
      });
    expect(await readConfigText(testOctokit(), repo, path, { sideBySide: true })).toEqual({ text: "holdLabel: keep\n", repo: "gitops" });
    expect(events.indexOf("organisation asked")).toBeLessThan(events.indexOf("own answered"));
  });

  it("side by side: the organisation's file when the repository has none", async () => {
    nock(api).get(own).reply(404, { message: "Not Found" }).get(organisation).reply(200, "holdLabel: org\n");
    expect(await readConfigText(testOctokit(), repo, path, { sideBySide: true })).toEqual({ text: "holdLabel: org\n", repo: ".github" });
  });
});
