import nock from "nock";
import { describe, expect, it } from "vitest";
import { createDeployment, listDeployments, setDeploymentStatus } from "../../src/github/deployments.ts";
import { api, recorder, repo, sha, strictNock, testOctokit } from "./helpers.ts";

strictNock();

describe("deployments", () => {
  it("creates a deployment of the merge SHA without auto-merge or required contexts", async () => {
    const rec = recorder();
    nock(api)
      .post("/repos/acme/gitops/deployments")
      .reply(201, async (req: Request) => (await rec.take(req), { id: 4242, sha: sha("m") }));

    const result = await createDeployment(testOctokit(), {
      repo,
      ref: sha("m"),
      environment: "prod",
      payload: { mergeSha: sha("m"), pullRequest: 7, workloads: ["wordpress"] },
      description: "wordpress 6.5.2 from #7",
    });

    expect(result).toEqual({ id: 4242 });
    expect(rec.bodies).toEqual([
      {
        ref: sha("m"),
        task: "deploy",
        auto_merge: false,
        required_contexts: [],
        environment: "prod",
        payload: { mergeSha: sha("m"), pullRequest: 7, workloads: ["wordpress"] },
        description: "wordpress 6.5.2 from #7",
      },
    ]);
  });

  it("sets a status with the description cut to 140 characters", async () => {
    const rec = recorder();
    nock(api)
      .post("/repos/acme/gitops/deployments/4242/statuses")
      .reply(201, async (req: Request) => (await rec.take(req), { id: 9 }));

    await setDeploymentStatus(testOctokit(), {
      repo,
      deploymentId: 4242,
      state: "failure",
      description: "x".repeat(300),
      logUrl: "https://github.com/acme/gitops/pull/7#issuecomment-1",
    });

    expect(rec.bodies).toEqual([
      { state: "failure", description: "x".repeat(139) + "…", log_url: "https://github.com/acme/gitops/pull/7#issuecomment-1" },
    ]);
  });

  it("lists deployments with their latest status in one GraphQL call per 100", async () => {
    const rec = recorder();
    const node = (id: number, task: string, state: string | null) => ({
      databaseId: id,
      commitOid: sha(String(id % 10)),
      environment: "prod",
      task,
      description: `d${id}`,
      payload: JSON.stringify({ pullRequest: id }),
      creator: id === 1 ? { __typename: "User", login: "octocat" } : { __typename: "Bot", login: "kustodian" },
      createdAt: "2025-01-01T00:00:00Z",
      latestStatus: state
        ? {
            state,
            description: "watching",
            environmentUrl: null,
            logUrl: null,
            createdAt: "2025-01-01T00:01:00Z",
            creator: { __typename: "Bot", login: "kustodian" },
          }
        : null,
    });
    nock(api)
      .post("/graphql")
      .reply(200, async (req: Request) => {
        await rec.take(req);
        return {
          data: {
            repository: {
              deployments: {
                pageInfo: { hasNextPage: true, endCursor: "c1" },
                // A full page: two of ours, 98 of another task (filtered out here, as GraphQL cannot).
                nodes: [
                  node(3, "deploy", "IN_PROGRESS"),
                  node(2, "deploy:migrations", "SUCCESS"),
                  ...Array.from({ length: 98 }, (_, i) => node(100 + i, "seed", "SUCCESS")),
                ],
              },
            },
          },
        };
      })
      .post("/graphql")
      .reply(200, async (req: Request) => {
        await rec.take(req);
        return {
          data: { repository: { deployments: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [node(1, "deploy", null)] } } },
        };
      });

    const list = await listDeployments(testOctokit(), { repo, environment: "prod", limit: 150, by: "kustodian[bot]" });

    expect(rec.bodies.map((b) => b.variables)).toEqual([
      { owner: "acme", name: "gitops", environments: ["prod"], first: 100, after: null },
      { owner: "acme", name: "gitops", environments: ["prod"], first: 50, after: "c1" },
    ]);
    expect(list).toEqual([
      {
        id: 3,
        sha: sha("3"),
        environment: "prod",
        task: "deploy",
        description: "d3",
        payload: { pullRequest: 3 },
        creator: { login: "kustodian", type: "Bot" },
        createdAt: "2025-01-01T00:00:00Z",
        latestStatus: {
          state: "in_progress",
          description: "watching",
          environmentUrl: null,
          logUrl: null,
          createdAt: "2025-01-01T00:01:00Z",
        },
      },
      {
        id: 1,
        sha: sha("1"),
        environment: "prod",
        task: "deploy",
        description: "d1",
        payload: { pullRequest: 1 },
        creator: { login: "octocat", type: "User" },
        createdAt: "2025-01-01T00:00:00Z",
        latestStatus: null,
      },
    ]);
  });
});
