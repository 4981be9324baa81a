import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { blobCache } from "../../src/github/blob-cache.ts";
import type { RepoRef } from "../../src/github/client.ts";

export const api = "https://api.github.com";
export const repo: RepoRef = { owner: "acme", repo: "gitops" };

/** An Octokit built as Probot builds `context.octokit`, with retries and throttling off so every call shows. */
export function testOctokit(): ProbotOctokit {
  return new ProbotOctokit({ auth: { token: "test" }, retry: { enabled: false }, throttle: { enabled: false } });
}

/**
 * nock at the HTTP boundary, strict: no real network, every request must match an interceptor
 * (an unmatched one fails the test even if the code swallowed the error), and every interceptor
 * must be used. Interceptors match once, so "all used and nothing unmatched" counts the calls.
 * Also empties the process-wide blob cache between tests.
 */
export function strictNock(): void {
  const unmatched: string[] = [];
  const onNoMatch = (req: { method?: string; url?: string; path?: string }) => unmatched.push(`${req.method} ${req.url ?? req.path}`);
  beforeAll(() => {
    nock.disableNetConnect();
    nock.emitter.on("no match", onNoMatch);
  });
  beforeEach(() => {
    unmatched.length = 0;
    blobCache.clear();
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(unmatched, "requests no interceptor matched").toEqual([]);
    expect(pending, "interceptors never called").toEqual([]);
  });
  afterAll(() => {
    nock.emitter.off("no match", onNoMatch);
    nock.enableNetConnect();
  });
}

export interface GraphqlBody {
  query: string;
  variables: Record<string, unknown>;
}

/**
 * Records JSON request bodies as interceptors receive them. nock 15 calls a reply function with
 * the fetch Request, so use `async (req) => { const body = await rec.take(req); ... }`.
 */
export function recorder(): { bodies: GraphqlBody[]; take: (request: Request) => Promise<GraphqlBody> } {
  const bodies: GraphqlBody[] = [];
  return {
    bodies,
    take: async (request) => {
      const body = (await request.json()) as GraphqlBody;
      bodies.push(body);
      return body;
    },
  };
}

export const sha = (c: string): string => c.repeat(40).slice(0, 40);
