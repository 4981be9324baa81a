// The test Probot really has Octokit's throttle off. With it on (as Probot 14 turns it back on
// over object defaults), writes go out one at a time, at least 1 s apart, and the app and rollout
// tests spend most of their time waiting; a race between two bot processes would be serialised
// by the throttle's queue and never tested.
import nock from "nock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { testProbot } from "./harness.ts";
import { installationId, owner, repo } from "./payloads.ts";

afterEach(() => {
  vi.useRealTimers();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("test Probot's Octokit", () => {
  it("sends a burst of writes at once, without waiting on the clock", { timeout: 10_000 }, async () => {
    // The throttle spaces writes 1 s apart (comments 3 s) with timers. The clock here is fake and
    // never moves: throttled, the writes wait forever and the test times out; unthrottled, all
    // of them reach GitHub at once.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    nock.disableNetConnect();
    const burst = 3;
    const arrived: number[] = [];
    nock("https://api.github.com")
      .post(`/app/installations/${installationId}/access_tokens`)
      .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" })
      .post(new RegExp(`^/repos/${owner}/${repo}/issues/\\d+/comments$`))
      .times(burst)
      .reply(() => {
        arrived.push(Date.now());
        return [201, { id: arrived.length }];
      });
    const octokit = await testProbot().auth(installationId);
    const start = Date.now();
    const answers = await Promise.all(
      Array.from({ length: burst }, (_, i) =>
        octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner, repo, issue_number: i + 1, body: "hi" }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    expect(arrived).toEqual([start, start, start]);
  });
});
