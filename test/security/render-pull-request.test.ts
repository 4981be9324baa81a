// What a pull request author sees when the render sandbox stops a render (issue 11): a failing
// kustodian/plan check and a plan comment saying what and where (file:line and the entry), and
// nothing fetched from the "internal" server the kustomization names.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deliverPullRequestOpened, openBranch, startHarness, type Harness } from "../app/harness.ts";

let h: Harness;
let internal: Server;
let url: string;
const requests: string[] = [];

beforeAll(async () => {
  internal = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.end("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: internal\ndata:\n  token: from-the-internal-network\n");
  });
  await new Promise<void>((resolve) => internal.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(internal.address() as AddressInfo).port}/x.yaml`;
});
afterAll(() => new Promise((resolve) => internal.close(resolve)));
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => {
  h.github.uninstall();
  expect(h.github.unmatched).toEqual([]);
});

async function openPr(branch: string, file: string, edit: (text: string) => string) {
  await deliverPullRequestOpened(h, branch, await openBranch(h.dir, branch, edit, file), { title: "Change base" });
}

describe("a refused render on a pull request", () => {
  it("fails the check and names the file, the line and the remote resource; the internal server gets nothing", async () => {
    await openPr("remote-resource", "base/kustomization.yaml", (text) =>
      text.replace("  - namespace.yaml\n", `  - namespace.yaml\n  - ${url}\n`),
    );
    expect(requests).toEqual([]);
    const line = 11; // resources: starts at line 9 of base/kustomization.yaml; the URL is its 2nd entry
    const comment = h.github.comments.get(7)!.at(-1)!.body;
    expect(comment).toContain(`base/kustomization.yaml:${line}: remote resources are not allowed (resources): ${url}`);
    expect(comment).not.toContain("from-the-internal-network");
    expect(h.github.checkRuns.at(-1)).toMatchObject({ name: "kustodian/plan", conclusion: "failure" });
    expect(h.github.checkRuns.at(-1)!.output.summary).toContain(`base/kustomization.yaml:${line}`);
  });

  it("fails the check for a base that leaves the repository", async () => {
    await openPr("dotdot", "base/kustomization.yaml", (text) =>
      text.replace("  - namespace.yaml\n", "  - namespace.yaml\n  - ../../../../../etc\n"),
    );
    const comment = h.github.comments.get(7)!.at(-1)!.body;
    expect(comment).toContain("base/kustomization.yaml:11: the path leaves the repository: ../../../../../etc");
    expect(h.github.checkRuns.at(-1)).toMatchObject({ conclusion: "failure" });
  });
});
