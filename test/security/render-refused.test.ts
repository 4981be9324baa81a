// Remote resources, git URLs, Helm and plugins in a pull request's kustomization (issue 11: SSRF
// with the answer published). The sandbox refuses them before kustomize runs, with the file, the
// line and the entry; a loopback "internal" server proves that no request left the bot.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRemote, kustomizationEntries } from "../../src/render/kustomization-entries.ts";
import { kustomizeBuild } from "../../src/render/kustomize-build.ts";
import { RenderRefused } from "../../src/render/render-errors.ts";
import { scratchDir } from "./fake-kustomize.ts";

let internal: Server;
let port: number;
const requests: string[] = [];
let scratch: string;

beforeAll(async () => {
  internal = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.end("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: internal-secrets\ndata:\n  token: from-the-internal-network\n");
  });
  await new Promise<void>((resolve) => internal.listen(0, "127.0.0.1", resolve));
  port = (internal.address() as AddressInfo).port;
  scratch = await scratchDir("kustodian-refused-");
});
afterAll(async () => {
  await new Promise((resolve) => internal.close(resolve));
  await rm(scratch, { recursive: true, force: true });
});

/** A repository with one kustomization at overlays/pr/ (plus base/), returns the repository root. */
async function repoWith(name: string, kustomization: string, extra: Record<string, string> = {}): Promise<string> {
  const root = join(scratch, name);
  await mkdir(join(root, "overlays/pr"), { recursive: true });
  await mkdir(join(root, "base"), { recursive: true });
  await writeFile(join(root, "base/kustomization.yaml"), "resources:\n  - cm.yaml\n");
  await writeFile(join(root, "base/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\n");
  await writeFile(join(root, "overlays/pr/kustomization.yaml"), kustomization);
  for (const [path, text] of Object.entries(extra)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

async function refusal(root: string, dir = "overlays/pr"): Promise<RenderRefused> {
  const error = await kustomizeBuild(join(root, dir), { root }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RenderRefused);
  return error as RenderRefused;
}

describe("remote content in a kustomization", () => {
  it("refuses an http resource on an internal address with file:line, and nothing reaches the server", async () => {
    const url = `http://127.0.0.1:${port}/x.yaml`;
    const root = await repoWith("http", `resources:\n  - ../../base\n  - ${url}\n`);
    const error = await refusal(root);
    expect(error).toMatchObject({ file: "overlays/pr/kustomization.yaml", line: 3, entry: url });
    expect(error.userMessage).toContain(`overlays/pr/kustomization.yaml:3: remote resources are not allowed (resources): ${url}`);
    expect(requests).toEqual([]);
  });

  it("refuses a git URL base and a github.com/... remote base, also in a base reached from the overlay", async () => {
    const root = await repoWith("git", "resources:\n  - ../../base\n", {
      "base/kustomization.yaml": `resources:\n  - cm.yaml\n  - git::http://127.0.0.1:${port}/org/repo.git//deploy?ref=main\n`,
    });
    expect(await refusal(root)).toMatchObject({ file: "base/kustomization.yaml", line: 3 });
    const root2 = await repoWith("github", "bases:\n  - github.com/kubernetes-sigs/kustomize/examples/helloWorld?ref=v1.0.6\n");
    expect(await refusal(root2)).toMatchObject({
      file: "overlays/pr/kustomization.yaml",
      line: 2,
      reason: "remote bases are not allowed (bases)",
    });
    const root3 = await repoWith("ssh", "components:\n  - git@github.com:org/repo.git/components/x\n");
    expect((await refusal(root3)).reason).toBe("remote components are not allowed (components)");
    expect(requests).toEqual([]);
  });

  it("refuses remote files in patches and generators", async () => {
    const url = `https://127.0.0.1:${port}/patch.yaml`;
    const root = await repoWith("patch", `resources:\n  - ../../base\npatches:\n  - path: ${url}\n`);
    expect(await refusal(root)).toMatchObject({ line: 4, entry: url, reason: "remote files are not allowed (patches)" });
    const root2 = await repoWith("generator", `configMapGenerator:\n  - name: x\n    files:\n      - key=http://127.0.0.1:${port}/f\n`);
    expect(await refusal(root2)).toMatchObject({ line: 4, reason: "remote files are not allowed (configMapGenerator)" });
    expect(requests).toEqual([]);
  });

  it.each([
    [
      "helmCharts",
      "helmCharts:\n  - name: minecraft\n    repo: https://itzg.github.io/minecraft-server-charts\n",
      "Helm charts are not allowed",
    ],
    ["helmGlobals", "helmGlobals:\n  chartHome: charts\n", "Helm charts are not allowed"],
    ["generators", "generators:\n  - plugin.yaml\n", "generator plugins are not allowed"],
    ["transformers", "transformers:\n  - plugin.yaml\n", "transformer plugins are not allowed"],
    ["validators", "validators:\n  - plugin.yaml\n", "validator plugins are not allowed"],
  ])("refuses %s", async (field, text, reason) => {
    const root = await repoWith(`field-${field}`, `resources:\n  - ../../base\n${text}`);
    expect(await refusal(root)).toMatchObject({ file: "overlays/pr/kustomization.yaml", line: 3, entry: field, reason });
  });

  it("builds a kustomization with only local content", async () => {
    const root = await repoWith("local", "resources:\n  - ../../base\nnamePrefix: pr-\n");
    expect(await kustomizeBuild(join(root, "overlays/pr"), { root })).toContain("name: pr-base");
  });
});

describe("kustomizationEntries", () => {
  it.each([
    ["https://example.com/x.yaml", true],
    ["http://10.0.0.1/x.yaml", true],
    ["file:///etc/passwd", true],
    ["git@github.com:org/repo.git", true],
    ["github.com/org/repo/path?ref=v1", true],
    ["gitlab.com/org/repo//path", true],
    ["example.com/org/repo", true],
    ["../../base", false],
    ["deployment.yaml", false],
    ["config/app.properties", false],
    ["./components/ha", false],
  ])("isRemote(%s) is %s", (entry, remote) => expect(isRemote(entry)).toBe(remote));

  it("lists local references with their lines and ignores inline patches", () => {
    const text = [
      "resources:",
      "  - ../../base",
      "  - service.yaml",
      "patches:",
      "  - path: patch.yaml",
      "  - patch: |-",
      "      - op: replace",
      "patchesStrategicMerge:",
      "  - smp.yaml",
      "  - |-",
      "    apiVersion: v1",
      "configMapGenerator:",
      "  - name: c",
      "    envs: [app.env]",
      "    files: [conf=app.conf]",
      "",
    ].join("\n");
    expect(kustomizationEntries(text, "k.yaml")).toEqual({
      refusals: [],
      references: [
        { kind: "resource", path: "../../base", line: 2, field: "resources" },
        { kind: "resource", path: "service.yaml", line: 3, field: "resources" },
        { kind: "file", path: "patch.yaml", line: 5, field: "patches" },
        { kind: "file", path: "smp.yaml", line: 9, field: "patchesStrategicMerge" },
        { kind: "file", path: "app.conf", line: 15, field: "configMapGenerator" },
        { kind: "file", path: "app.env", line: 14, field: "configMapGenerator" },
      ],
    });
  });
});
