import { describe, expect, it } from "vitest";
import { decidePromotion, sameImage, type UpstreamRollout } from "../../src/delivery/promotion-gate.ts";

const t = (min: number) => new Date(Date.parse("2026-03-01T12:00:00Z") + min * 60_000);
const now = t(0);
const image = "ghcr.io/acme/wordpress:6.7.1";
const digest = `ghcr.io/acme/wordpress@sha256:${"a".repeat(64)}`;

let id = 1;
const run = (state: UpstreamRollout["state"], images: string[], started: number, concluded?: number): UpstreamRollout => ({
  deploymentId: id++,
  mergeSha: "f".repeat(40),
  images,
  state,
  startedAt: t(started),
  ...(concluded === undefined ? {} : { concludedAt: t(concluded) }),
});

describe("decidePromotion", () => {
  const cases: {
    name: string;
    images?: string[];
    upstream: UpstreamRollout[];
    soak?: string;
    ok: boolean;
    line: string;
    recheckAt?: Date | null;
  }[] = [
    {
      name: "never deployed upstream",
      upstream: [run("healthy", ["ghcr.io/acme/wordpress:6.6.2"], -100, -90)],
      ok: false,
      line: "staging: not deployed",
      recheckAt: null,
    },
    {
      name: "Healthy 12 minutes ago with a 30 minute soak: 18 minutes left",
      upstream: [run("healthy", [image], -20, -12)],
      ok: false,
      line: "staging: Healthy 12 min ago, soak 30 min: 18 min left",
      recheckAt: t(18),
    },
    {
      name: "Healthy exactly the soak ago: passes",
      upstream: [run("healthy", [image], -40, -30)],
      ok: true,
      line: "staging: Healthy 30 min ago, soak 30 min: done",
    },
    {
      name: "Healthy long ago, failed since: blocked, naming the failure",
      upstream: [run("healthy", [image], -300, -290), run("failed", [image], -60, -50)],
      ok: false,
      line: "staging: failed in staging at 2026-03-01T11:10:00.000Z",
      recheckAt: null,
    },
    {
      name: "failed, then Healthy again: the soak counts from the new Healthy",
      upstream: [run("failed", [image], -300, -290), run("healthy", [image], -20, -10)],
      ok: false,
      line: "staging: Healthy 10 min ago, soak 30 min: 20 min left",
      recheckAt: t(20),
    },
    {
      name: "the first Healthy of a run counts, later redeploys of the same image do not restart the soak",
      upstream: [run("healthy", [image], -100, -95), run("healthy", [image, "mysql:8"], -10, -5)],
      ok: true,
      line: "staging: Healthy 1 h 35 min ago, soak 30 min: done",
    },
    {
      name: "still rolling out",
      upstream: [run("rolling", [image], -3)],
      ok: false,
      line: "staging: rolling out since 2026-03-01T11:57:00.000Z, not Healthy yet",
      recheckAt: null,
    },
    {
      name: "the same digest counts whatever the tag",
      images: [digest],
      upstream: [run("healthy", [`ghcr.io/acme/wordpress:6.7.1@sha256:${"a".repeat(64)}`], -100, -90)],
      ok: true,
      line: "staging: Healthy 1 h 30 min ago, soak 30 min: done",
    },
    {
      name: "another digest is another image",
      images: [digest],
      upstream: [run("healthy", [`ghcr.io/acme/wordpress@sha256:${"b".repeat(64)}`], -100, -90)],
      ok: false,
      line: "staging: not deployed",
    },
    {
      name: "a soak of 1h30m",
      soak: "1h30m",
      upstream: [run("healthy", [image], -70, -65)],
      ok: false,
      line: "staging: Healthy 1 h 5 min ago, soak 1 h 30 min: 25 min left",
      recheckAt: t(25),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decidePromotion({
        environment: "prod",
        after: "staging",
        soak: c.soak ?? "30m",
        images: c.images ?? [image],
        upstream: c.upstream,
        now,
      });
      expect(d.ok).toBe(c.ok);
      expect(d.images[0]!.line).toBe(c.line);
      if (c.recheckAt !== undefined) expect(d.recheckAt).toEqual(c.recheckAt);
    });
  }

  it("several images: passes only when all pass; rechecks when the last soak completes", () => {
    const other = "mysql:8.0.40";
    const d = decidePromotion({
      environment: "prod",
      after: "staging",
      soak: "30m",
      images: [image, other],
      upstream: [run("healthy", [image, other], -50, -25), run("healthy", [other], -40, -35)],
      now,
    });
    expect(d.ok).toBe(false);
    expect(d.images.map((v) => v.ok)).toEqual([false, true]);
    expect(d.recheckAt).toEqual(t(5));
  });

  it("sameImage: Docker Hub names normalise; a tag is not a digest", () => {
    expect(sameImage("wordpress:6.7", "docker.io/library/wordpress:6.7")).toBe(true);
    expect(sameImage("wordpress:6.7", "wordpress:6.8")).toBe(false);
    expect(sameImage("wordpress:6.7", `wordpress@sha256:${"a".repeat(64)}`)).toBe(false);
  });
});
