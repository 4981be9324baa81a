import nock from "nock";
import { describe, expect, it } from "vitest";
import { publishCheckRun } from "../../src/github/checks.ts";
import { checkRunTextLimit } from "../../src/github/truncate.ts";
import { api, recorder, repo, sha, strictNock, testOctokit } from "./helpers.ts";

strictNock();

describe("publishCheckRun", () => {
  it("creates one completed check run named kustodian/plan", async () => {
    const rec = recorder();
    nock(api)
      .post("/repos/acme/gitops/check-runs")
      .reply(201, async (req: Request) => (await rec.take(req), { id: 55, html_url: "https://github.com/acme/gitops/runs/55", url: "" }));

    const result = await publishCheckRun(testOctokit(), {
      repo,
      headSha: sha("h"),
      conclusion: "failure",
      title: "1 blocking finding in prod",
      summary: "wordpress uses the mutable tag `latest`",
      completedAt: new Date("2025-01-02T03:04:05Z"),
    });

    expect(result).toEqual({ id: 55, url: "https://github.com/acme/gitops/runs/55" });
    expect(rec.bodies).toEqual([
      {
        name: "kustodian/plan",
        head_sha: sha("h"),
        status: "completed",
        conclusion: "failure",
        completed_at: "2025-01-02T03:04:05.000Z",
        output: { title: "1 blocking finding in prod", summary: "wordpress uses the mutable tag `latest`" },
      },
    ]);
  });

  it("cuts summary and text to 65,535 characters", async () => {
    const rec = recorder();
    nock(api)
      .post("/repos/acme/gitops/check-runs")
      .reply(201, async (req: Request) => (await rec.take(req), { id: 56, html_url: "h", url: "" }));

    await publishCheckRun(testOctokit(), {
      repo,
      headSha: sha("h"),
      conclusion: "success",
      title: "t",
      summary: "s".repeat(70_000),
      text: "t\n".repeat(40_000),
    });

    const output = (rec.bodies[0] as unknown as { output: { summary: string; text: string } }).output;
    expect(output.summary.length).toBeLessThanOrEqual(checkRunTextLimit);
    expect(output.text.length).toBeLessThanOrEqual(checkRunTextLimit);
    expect(output.text).toContain("Truncated by kustodian");
  });
});
