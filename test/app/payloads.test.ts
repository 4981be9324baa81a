// The payload builders check what they build against @octokit/webhooks-schemas: a payload GitHub
// would not send is refused, so handlers are never tested on shapes that do not exist.
import { describe, expect, it } from "vitest";
import { issueCommentEvent, pullRequestEvent, pushEvent, validated } from "./payloads.ts";

const sha = "a".repeat(40);

describe("webhook payload builders", () => {
  it("build payloads that match GitHub's schema for each event", () => {
    expect(pushEvent({ before: sha, after: sha, message: "m", timestamp: "2026-01-01T00:00:00Z" }).after).toBe(sha);
    for (const action of ["opened", "reopened", "synchronize", "ready_for_review"] as const)
      expect(pullRequestEvent({ action, headSha: sha, baseSha: sha }).action).toBe(action);
    expect(issueCommentEvent({ body: "/plan" }).comment.body).toBe("/plan");
  });

  it.each([
    [
      "push$event",
      () => pushEvent({ before: sha, after: sha, message: "m", timestamp: "2026-01-01T00:00:00Z" }),
      (p: Record<string, unknown>) => delete p.repository,
      "must have required property 'repository'",
    ],
    [
      "pull_request$opened",
      () => pullRequestEvent({ action: "opened", headSha: sha, baseSha: sha }),
      (p: Record<string, { number: unknown }>) => (p.pull_request!.number = "seven"),
      "data/pull_request/number must be integer",
    ],
    [
      "issue_comment$created",
      () => issueCommentEvent({ body: "x" }),
      (p: Record<string, { body: unknown }>) => (p.comment!.body = 7),
      "data/comment/body must be string",
    ],
  ] as const)("refuse a %s payload GitHub would not send", (definition, build, spoil, message) => {
    const payload = build();
    (spoil as (p: unknown) => void)(payload);
    expect(() => validated(definition, payload)).toThrow(message);
  });

  it("refuse an event the schema does not define", () => {
    expect(() => validated("no_such$event", {})).toThrow("no definition no_such$event");
  });
});
