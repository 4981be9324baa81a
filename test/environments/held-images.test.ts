import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editEnvironmentFile } from "../../src/environments/edit.ts";
import { describeHold, heldBy, holdEdit } from "../../src/environments/held-images.ts";
import { parseEnvironmentFile } from "../../src/environments/parse.ts";
import type { HeldImage } from "../../src/environments/schema.ts";
import { repoRoot } from "../helpers/repo-root.ts";

const digest = `sha256:${"a".repeat(64)}`;
const otherDigest = `sha256:${"b".repeat(64)}`;
const tagHold: HeldImage = { image: "wordpress:6.7.1-apache", reason: "ReadinessTimeout", since: "2026-11-23T14:00:00Z" };
const digestHold: HeldImage = { image: `ghcr.io/acme/wordpress@${digest}`, reason: "CrashLoop", since: "2026-11-23T14:00:00Z" };

describe("held images", () => {
  it.each([
    ["the same tag", "wordpress:6.7.1-apache", tagHold, true],
    ["the same tag on Docker Hub's full name", "docker.io/library/wordpress:6.7.1-apache", tagHold, true],
    ["the same tag pinned to a digest", `wordpress:6.7.1-apache@${digest}`, tagHold, true],
    ["another tag", "wordpress:6.7.2-apache", tagHold, false],
    ["the same tag of another repository", "ghcr.io/acme/wordpress:6.7.1-apache", tagHold, false],
    ["the held digest under any tag", `ghcr.io/acme/wordpress:v2@${digest}`, digestHold, true],
    ["the held digest without a tag", `ghcr.io/acme/wordpress@${digest}`, digestHold, true],
    ["another digest", `ghcr.io/acme/wordpress@${otherDigest}`, digestHold, false],
    ["a tag when a digest is held", "ghcr.io/acme/wordpress:v2", digestHold, false],
  ])("%s: %s", (_what, image, hold, isHeld) => {
    expect(heldBy([hold], image) !== undefined).toBe(isHeld);
  });

  it("a revert's hold is appended to the environment file, keeping comments, and the file stays valid", () => {
    const file = "environments/staging.yaml";
    const text = readFileSync(join(repoRoot, file), "utf8");
    const entry: HeldImage = { ...tagHold, revertedCommit: "c".repeat(40), revertCommit: "d".repeat(40) };
    const once = editEnvironmentFile(file, text, [holdEdit(undefined, entry)]);
    expect(once.startsWith(text.trimEnd())).toBe(true);
    const parsed = parseEnvironmentFile(file, once);
    if (!parsed.ok) throw new Error("invalid");
    expect(parsed.env.held).toEqual([entry]);
    const twice = editEnvironmentFile(file, once, [holdEdit(parsed.env.held, digestHold)]);
    const again = parseEnvironmentFile(file, twice);
    expect(again.ok && again.env.held).toEqual([entry, digestHold]);
  });

  it("says why and how to lift it", () => {
    expect(describeHold({ ...tagHold, revertedCommit: "c".repeat(40), revertCommit: "d".repeat(40) }, "prod")).toBe(
      "wordpress:6.7.1-apache is held in prod since 2026-11-23T14:00:00Z: ReadinessTimeout (rollout of ccccccc failed, reverted in ddddddd). Lift it with `/allow wordpress:6.7.1-apache prod`.",
    );
  });
});
