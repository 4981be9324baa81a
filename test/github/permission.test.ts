import nock from "nock";
import { describe, expect, it } from "vitest";
import { permits, repositoryPermission, type RepositoryPermission } from "../../src/github/permission.ts";
import { api, repo, strictNock, testOctokit } from "./helpers.ts";

strictNock();

const path = "/repos/acme/gitops/collaborators/octocat/permission";

describe("repositoryPermission", () => {
  const cases: [string, object, RepositoryPermission][] = [
    ["admin", { permission: "admin", role_name: "admin" }, "admin"],
    ["maintain, which the legacy field calls write", { permission: "write", role_name: "maintain" }, "maintain"],
    ["write", { permission: "write", role_name: "write" }, "write"],
    ["triage, which the legacy field calls read", { permission: "read", role_name: "triage" }, "triage"],
    ["read", { permission: "read", role_name: "read" }, "read"],
    ["none", { permission: "none", role_name: "" }, "none"],
    ["no role_name (older GitHub Enterprise)", { permission: "write" }, "write"],
    [
      "a custom role, by its permission flags",
      {
        permission: "write",
        role_name: "release-manager",
        user: { login: "octocat", permissions: { admin: false, maintain: true, push: true, triage: true, pull: true } },
      },
      "maintain",
    ],
    ["a custom role without flags, by the legacy field", { permission: "read", role_name: "auditor" }, "read"],
  ];
  for (const [name, body, expected] of cases) {
    it(`maps ${name} to ${expected}`, async () => {
      nock(api)
        .get(path)
        .reply(200, { user: null, ...body });
      expect(await repositoryPermission(testOctokit(), { repo, username: "octocat" })).toBe(expected);
    });
  }

  it("maps a 404 to none", async () => {
    nock(api).get(path).reply(404, { message: "Not Found" });
    expect(await repositoryPermission(testOctokit(), { repo, username: "octocat" })).toBe("none");
  });

  it("rethrows other errors: a failed lookup is never a permission", async () => {
    nock(api).get(path).reply(403, { message: "Resource not accessible by integration" });
    await expect(repositoryPermission(testOctokit(), { repo, username: "octocat" })).rejects.toMatchObject({ status: 403 });
  });

  it("orders permissions for the write-or-more rule", () => {
    expect(permits("maintain", "write")).toBe(true);
    expect(permits("triage", "write")).toBe(false);
    expect(permits("none", "read")).toBe(false);
  });
});
