import { describe, expect, it } from "vitest";
import { FreezeWindow } from "../../src/config/freeze-windows.ts";
import { parseAppConfig } from "../../src/config/app-config.ts";
import { freezesOn } from "../../src/delivery/freezes.ts";
import { instantOf } from "../../src/text/zoned-time.ts";

const win = (w: object) => FreezeWindow.parse(w);
const at = (iso: string) => new Date(iso);

describe("freezesOn", () => {
  const nightly = win({
    reason: "batch jobs",
    environments: ["prod"],
    timeZone: "Europe/Berlin",
    weekly: { days: ["mon", "tue", "wed", "thu", "fri"], from: "22:00", to: "06:00" },
  });
  const weekend = win({
    reason: "no weekend deploys",
    timeZone: "America/New_York",
    weekly: { days: ["fri"], from: "18:00", to: "24:00" },
  });
  const saturday = win({
    reason: "no weekend deploys",
    timeZone: "America/New_York",
    weekly: { days: ["sat", "sun"], from: "00:00", to: "24:00" },
  });
  const yearEnd = win({
    reason: "year-end freeze",
    environments: ["prod", "staging"],
    timeZone: "Europe/Berlin",
    from: "2026-12-20",
    to: "2027-01-04T08:00",
  });

  const cases: {
    name: string;
    env: string;
    now: string;
    windows: FreezeWindow[];
    frozen: boolean;
    endsAt?: string;
    changesAt?: string | null;
  }[] = [
    // A weekly window crossing midnight: Tuesday 22:00 → Wednesday 06:00 Berlin (CET, UTC+1 in January).
    {
      name: "inside a window that crossed midnight (after midnight)",
      env: "prod",
      now: "2026-01-14T03:00:00Z",
      windows: [nightly],
      frozen: true,
      endsAt: "2026-01-14T05:00:00.000Z",
    },
    {
      name: "inside the same window before midnight",
      env: "prod",
      now: "2026-01-13T21:30:00Z",
      windows: [nightly],
      frozen: true,
      endsAt: "2026-01-14T05:00:00.000Z",
    },
    {
      name: "the end is exclusive",
      env: "prod",
      now: "2026-01-14T05:00:00Z",
      windows: [nightly],
      frozen: false,
      changesAt: "2026-01-14T21:00:00.000Z",
    },
    {
      name: "Friday's window runs into Saturday morning although Saturday is not listed",
      env: "prod",
      now: "2026-01-17T04:00:00Z",
      windows: [nightly],
      frozen: true,
      endsAt: "2026-01-17T05:00:00.000Z",
    },
    {
      name: "Saturday night is free: the next start is Monday 22:00",
      env: "prod",
      now: "2026-01-17T22:00:00Z",
      windows: [nightly],
      frozen: false,
      changesAt: "2026-01-19T21:00:00.000Z",
    },
    {
      name: "other environments are not frozen by it",
      env: "staging",
      now: "2026-01-14T03:00:00Z",
      windows: [nightly],
      frozen: false,
      changesAt: null,
    },
    // DST: Berlin goes to CEST on 2026-03-29 at 02:00 local; the window ends at 06:00 CEST = 04:00Z.
    {
      name: "a window over the spring-forward night ends at 06:00 summer time",
      env: "prod",
      now: "2026-03-27T23:30:00Z",
      windows: [nightly],
      frozen: true,
      endsAt: "2026-03-28T05:00:00.000Z",
    },
    {
      name: "the Monday after spring-forward starts at 22:00 CEST (20:00Z)",
      env: "prod",
      now: "2026-03-30T20:30:00Z",
      windows: [nightly],
      frozen: true,
      endsAt: "2026-03-31T04:00:00.000Z",
    },
    // Berlin goes back to CET on 2026-10-25 at 03:00 CEST: Sunday night into Monday is not in the window, Monday night is in CET.
    {
      name: "after fall-back the window starts at 22:00 CET (21:00Z)",
      env: "prod",
      now: "2026-10-26T20:59:00Z",
      windows: [nightly],
      frozen: false,
      changesAt: "2026-10-26T21:00:00.000Z",
    },
    // Adjacent windows are one freeze: Friday 18:00 to Monday 00:00 New York.
    {
      name: "adjacent windows carry the end on to the last one",
      env: "dev",
      now: "2026-01-16T23:30:00Z",
      windows: [weekend, saturday],
      frozen: true,
      endsAt: "2026-01-19T05:00:00.000Z",
    },
    {
      name: "New York's spring-forward Sunday (2026-03-08) ends at midnight EDT",
      env: "dev",
      now: "2026-03-08T12:00:00Z",
      windows: [weekend, saturday],
      frozen: true,
      endsAt: "2026-03-09T04:00:00.000Z",
    },
    // Absolute ranges: local dates in the window's zone.
    {
      name: "an absolute range, local midnight Berlin",
      env: "prod",
      now: "2026-12-19T23:00:00Z",
      windows: [yearEnd],
      frozen: true,
      endsAt: "2027-01-04T07:00:00.000Z",
    },
    {
      name: "before the range: it starts next",
      env: "prod",
      now: "2026-12-19T22:59:59Z",
      windows: [yearEnd],
      frozen: false,
      changesAt: "2026-12-19T23:00:00.000Z",
    },
    {
      name: "an absolute range with an offset is that instant",
      env: "dev",
      now: "2026-05-01T10:00:00Z",
      windows: [win({ reason: "r", from: "2026-05-01T12:00+02:00", to: "2026-05-01T13:00Z" })],
      frozen: true,
      endsAt: "2026-05-01T13:00:00.000Z",
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = freezesOn(c.env, at(c.now), c.windows, []);
      expect(d.frozen.length > 0).toBe(c.frozen);
      if (c.endsAt) expect(d.frozen[0]!.endsAt?.toISOString()).toBe(c.endsAt);
      if (c.frozen) expect(d.changesAt?.toISOString()).toBe(c.endsAt);
      if (c.changesAt !== undefined) expect(d.changesAt?.toISOString() ?? null).toBe(c.changesAt);
    });
  }

  it("a /freeze holds until /unfreeze, names who set it, and applies to one environment or all", () => {
    const since = at("2026-01-10T09:00:00Z");
    const recorded = [
      { environment: "prod", reason: "incident 42", by: "alice", since, url: "https://github.com/acme/gitops/issues/9" },
      { environment: "all", reason: "black friday", by: "bob", since },
    ];
    expect(freezesOn("prod", at("2026-02-01T00:00:00Z"), [], recorded).frozen).toEqual([
      { source: "command", reason: "incident 42", by: "@alice", since, endsAt: null, url: "https://github.com/acme/gitops/issues/9" },
      { source: "command", reason: "black friday", by: "@bob", since, endsAt: null },
    ]);
    expect(freezesOn("dev", at("2026-02-01T00:00:00Z"), [], recorded).frozen.map((f) => f.reason)).toEqual(["black friday"]);
  });
});

describe("zoned time", () => {
  it("a local time skipped by spring-forward resolves after the gap; a repeated one to its first occurrence", () => {
    expect(new Date(instantOf({ year: 2026, month: 3, day: 29 }, 2 * 60 + 30, "Europe/Berlin")).toISOString()).toBe(
      "2026-03-29T01:30:00.000Z",
    );
    expect(new Date(instantOf({ year: 2026, month: 10, day: 25 }, 2 * 60 + 30, "Europe/Berlin")).toISOString()).toBe(
      "2026-10-25T00:30:00.000Z",
    );
  });
});

describe("freeze windows in .github/kustodian.yml", () => {
  it("name the field of every mistake", () => {
    const result = parseAppConfig({
      freezes: [
        { reason: "x", timeZone: "Mars/Olympus", weekly: { days: ["fri"], from: "18:00", to: "25:00" } },
        { reason: "y", from: "2026-12-20" },
        { reason: "z", weekly: { days: ["friday"], from: "18:00", to: "20:00" }, until: "x" },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        ".github/kustodian.yml freezes.0.timeZone: expected an IANA time zone such as Europe/Berlin",
        ".github/kustodian.yml freezes.0.weekly.to: expected a time such as 08:00 (24:00 for midnight)",
        ".github/kustodian.yml freezes.1.to: expected both from and to",
        ".github/kustodian.yml freezes.2.weekly.days.0: expected a day: mon, tue, wed, thu, fri, sat or sun",
        ".github/kustodian.yml freezes.2.until: unknown field",
      ]),
    );
  });
});
