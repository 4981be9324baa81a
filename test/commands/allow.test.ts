import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { heldImageCheck, planAllow } from "../../src/commands/allow.ts";
import { parseCommands } from "../../src/commands/parse.ts";
import { planPromote } from "../../src/commands/promote.ts";
import type { AllowCommand } from "../../src/commands/command.ts";
import { repoRoot } from "../helpers/repo-root.ts";

const held = `held:
  - image: wordpress:6.7.1-apache
    reason: "ReadinessTimeout: wordpress-7d9f/wordpress not Ready 18 s after start"
    since: 2026-11-23T14:00:00Z
`;

function files(extra: Record<string, string> = {}): Map<string, string> {
  const map = new Map<string, string>();
  for (const env of ["dev", "staging", "prod"]) {
    const file = `environments/${env}.yaml`;
    map.set(file, readFileSync(join(repoRoot, file), "utf8") + (extra[env] ?? ""));
  }
  return map;
}

function allow(body: string): AllowCommand {
  const [command] = parseCommands(body);
  if (command?.kind !== "allow") throw new Error(`not an allow command: ${JSON.stringify(command)}`);
  return command;
}

describe("/allow", () => {
  it("parses IMAGE and an optional environment", () => {
    expect(parseCommands("/allow wordpress:6.7.1-apache prod")).toEqual([
      { kind: "allow", image: "wordpress:6.7.1-apache", env: "prod", line: "/allow wordpress:6.7.1-apache prod" },
    ]);
    expect(parseCommands("/allow")[0]).toMatchObject({ kind: "invalid", name: "allow" });
  });

  it("removes the hold from the one environment holding it, and nothing else", () => {
    const input = files({ staging: held });
    const plan = planAllow({ command: allow("/allow wordpress:6.7.1-apache"), environmentFiles: input });
    if (!plan.ok) throw new Error(plan.reply);
    expect(plan.file).toBe("environments/staging.yaml");
    expect(plan.after).toBe(`${readFileSync(join(repoRoot, "environments/staging.yaml"), "utf8")}held: []\n`);
    expect(plan.summary).toContain("ReadinessTimeout");
  });

  it("asks which environment when several hold the image", () => {
    const plan = planAllow({ command: allow("/allow wordpress:6.7.1-apache"), environmentFiles: files({ staging: held, prod: held }) });
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.reply).toContain("/allow wordpress:6.7.1-apache prod");
  });

  it("says so when the image is not held", () => {
    const plan = planAllow({ command: allow("/allow wordpress:9 prod"), environmentFiles: files() });
    expect(!plan.ok && plan.reply).toContain("is not held in");
  });

  it("/promote never copies a held image into an environment that holds it", () => {
    const input = files({ prod: held });
    const staging = input.get("environments/staging.yaml")!.replace("wordpress:6.6.2-apache", "wordpress:6.7.1-apache");
    input.set("environments/staging.yaml", staging);
    const plan = planPromote({ from: "staging", to: "prod", environmentFiles: input, held: heldImageCheck(input) });
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.reply).toContain("held in `prod`");
  });
});
