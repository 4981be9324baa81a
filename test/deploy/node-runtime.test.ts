// The server process runs with the Node settings the watcher benchmark measures
// (scripts/node-runtime.ts): the image, `npm start` and the Deployment agree with them, and the
// image's compile-cache step works (importing the server starts nothing; with the cache filled the
// server loads without Node's TypeScript stripper).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { IMAGE_COMPILE_CACHE, NODE_ENVIRONMENT, NODE_FLAGS, SERVER_MODULE } from "../../scripts/node-runtime.ts";
import { repoRoot } from "../helpers/repo-root.ts";

const dockerfile = readFileSync(join(repoRoot, "deploy", "Dockerfile"), "utf8");
/** The instructions of the image's last stage, continuation lines joined. */
const finalStage = dockerfile
  .slice(dockerfile.lastIndexOf("\nFROM "))
  .replace(/\\\n/g, " ")
  .split("\n")
  .filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
const instruction = (name: string): string[] => finalStage.filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());

interface PodSpec {
  securityContext?: { runAsUser?: number };
  containers?: { resources?: { limits?: { memory?: string } } }[];
}
function podSpec(): PodSpec | undefined {
  return parseAllDocuments(readFileSync(join(repoRoot, "deploy", "base", "deployment.yaml"), "utf8"))
    .map((d) => d.toJS() as { kind?: string; spec?: { template?: { spec?: PodSpec } } })
    .find((o) => o.kind === "Deployment")?.spec?.template?.spec;
}

describe("the server's Node runtime", () => {
  it("is the same in the image, in `npm start` and in scripts/node-runtime.ts", () => {
    const env = instruction("ENV").join(" ");
    for (const [name, value] of Object.entries({ ...NODE_ENVIRONMENT, NODE_COMPILE_CACHE: IMAGE_COMPILE_CACHE })) {
      expect(env).toContain(`${name}=${value}`);
    }
    expect(JSON.parse(instruction("CMD")[0] ?? "[]")).toEqual(["node", ...NODE_FLAGS, SERVER_MODULE]);
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts["start"]).toBe(["node", ...NODE_FLAGS, SERVER_MODULE].join(" "));
  });

  it("keeps V8's old space under the container's memory limit, the kustomize children's share left over", () => {
    const limit = podSpec()?.containers?.[0]?.resources?.limits?.memory ?? "";
    const limitMiB = Number(/^(\d+)Mi$/.exec(limit)?.[1] ?? NaN);
    const oldSpace = Number(NODE_FLAGS.find((f) => f.startsWith("--max-old-space-size="))?.split("=")[1] ?? NaN);
    expect(limitMiB).toBeGreaterThan(0);
    expect(oldSpace).toBeLessThanOrEqual(0.75 * limitMiB);
  });

  it("fills the compile cache as the user the Deployment runs as (Node keeps one cache per user id)", () => {
    const runAsUser = podSpec()?.securityContext?.runAsUser;
    expect(runAsUser).toBeTypeOf("number");
    const fill = finalStage.findIndex((l) => l.startsWith("RUN ") && l.includes(`import("./${SERVER_MODULE}")`));
    const user = finalStage.findIndex((l) => l.startsWith("USER "));
    expect(fill).toBeGreaterThan(user);
    expect(finalStage[user]).toMatch(new RegExp(`^USER ${runAsUser}(:|$)`));
  });

  const cache = mkdtempSync(join(tmpdir(), "kustodian-compile-cache-"));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it("imports the server without starting it, and then loads it without the TypeScript stripper", () => {
    const node = (code: string): string =>
      execFileSync(process.execPath, ["--input-type=module", "-e", code], {
        cwd: repoRoot,
        // Unregistered and without settings the server would start Probot's setup flow and listen.
        env: { ...process.env, NODE_COMPILE_CACHE: cache, APP_ID: "", PRIVATE_KEY: "", KUSTODIAN_WATCH: "off" },
        encoding: "utf8",
        timeout: 60_000,
      });
    const stripper = `console.log(JSON.stringify(process.moduleLoadList.filter((m) => m.includes("amaro"))));`;
    // The image's build step: exits by itself (a started server would keep listening).
    const cold = node(`await import("./${SERVER_MODULE}"); ${stripper}`);
    expect(JSON.parse(cold)).not.toEqual([]); // filling the cache strips the sources
    const warm = node(`await import("./${SERVER_MODULE}"); ${stripper}`);
    expect(JSON.parse(warm)).toEqual([]);
  });
});
