// Whether an environment is frozen now, and until when: from the windows in
// `.github/kustodian.yml` and the freezes people set with `/freeze` (recorded as GitHub issues,
// src/app/freeze-record.ts). Pure: the time is passed in.
import { weekdayNames, type FreezeWindow } from "../config/freeze-windows.ts";
import { addDays, instantOf, localTimeAt } from "../text/zoned-time.ts";

/** A `/freeze` as recorded: until `/unfreeze`. */
export interface RecordedFreeze {
  /** An environment, or `all`. */
  environment: string;
  reason: string;
  by: string;
  since: Date;
  /** Where it is recorded (the freeze issue). */
  url?: string;
}

export interface ActiveFreeze {
  source: "window" | "command";
  reason: string;
  /** Who set it: `@alice`, or `.github/kustodian.yml` for a window. */
  by: string;
  since: Date;
  /** When it ends; null until someone runs `/unfreeze`. */
  endsAt: Date | null;
  url?: string;
}

export interface FreezeDecision {
  frozen: ActiveFreeze[];
  /** The next time the answer can change by itself: a freeze ends, or a window starts (looked for a week ahead). */
  changesAt: Date | null;
}

/** The freezes on `environment` at `now`. */
export function freezesOn(
  environment: string,
  now: Date,
  windows: readonly FreezeWindow[],
  recorded: readonly RecordedFreeze[],
): FreezeDecision {
  const applies = windows.filter((w) => w.environments === undefined || w.environments.includes(environment));
  const frozen: ActiveFreeze[] = [];
  let changesAt: number | null = null;
  const consider = (t: number | null) => {
    if (t !== null && t > now.getTime() && (changesAt === null || t < changesAt)) changesAt = t;
  };
  for (const w of applies) {
    const span = activeSpan(w, now.getTime());
    if (span) {
      const end = endOfRun(applies, span.end);
      frozen.push({ source: "window", reason: w.reason, by: ".github/kustodian.yml", since: new Date(span.start), endsAt: new Date(end) });
      consider(end);
    } else {
      // A start inside a freeze that is already on (adjacent windows) changes nothing.
      const start = nextStart(w, now.getTime());
      if (start !== null && !applies.some((other) => activeSpan(other, start - 1) !== undefined)) consider(start);
    }
  }
  for (const r of recorded) {
    if (r.environment !== "all" && r.environment !== environment) continue;
    frozen.push({ source: "command", reason: r.reason, by: `@${r.by}`, since: r.since, endsAt: null, ...(r.url ? { url: r.url } : {}) });
  }
  return { frozen, changesAt: changesAt === null ? null : new Date(changesAt) };
}

/** A window's span that holds `t`, if one does. */
export function activeSpan(w: FreezeWindow, t: number): { start: number; end: number } | undefined {
  if (w.weekly === undefined) {
    const start = absolute(w.from!, w.timeZone);
    const end = absolute(w.to!, w.timeZone);
    return start <= t && t < end ? { start, end } : undefined;
  }
  const today = localTimeAt(t, w.timeZone);
  // A span that started yesterday may still run (it crosses midnight).
  for (const back of [0, 1]) {
    const span = weeklySpan(w, addDays(today, -back));
    if (span && span.start <= t && t < span.end) return span;
  }
  return undefined;
}

/** The weekly window's span starting on local `date`, if `date` is one of its days. */
function weeklySpan(
  w: FreezeWindow,
  date: { year: number; month: number; day: number; weekday: number },
): { start: number; end: number } | undefined {
  const weekly = w.weekly!;
  if (!weekly.days.includes(weekdayNames[date.weekday]!)) return undefined;
  const from = minutes(weekly.from);
  const to = minutes(weekly.to);
  const start = instantOf(date, from, w.timeZone);
  const end = to > from ? instantOf(date, to, w.timeZone) : instantOf(addDays(date, 1), to, w.timeZone);
  return { start, end };
}

function nextStart(w: FreezeWindow, t: number): number | null {
  if (w.weekly === undefined) {
    const start = absolute(w.from!, w.timeZone);
    return start > t ? start : null;
  }
  const today = localTimeAt(t, w.timeZone);
  for (let k = 0; k <= 7; k++) {
    const span = weeklySpan(w, addDays(today, k));
    if (span && span.start > t) return span.start;
  }
  return null;
}

/** Where a freeze really ends: windows that touch or overlap it carry it on (fri 18:00–24:00, then sat 00:00–24:00 …). */
function endOfRun(windows: readonly FreezeWindow[], end: number): number {
  let current = end;
  for (let i = 0; i < 64; i++) {
    const next = windows.map((w) => activeSpan(w, current)).find((s) => s !== undefined && s.end > current);
    if (!next) return current;
    current = next.end;
  }
  return current;
}

function minutes(clock: string): number {
  const [h, m] = clock.split(":").map(Number);
  return h! * 60 + m!;
}

/** An absolute `from`/`to`: an instant when it carries Z or an offset, else local time in the window's zone. */
export function absolute(text: string, timeZone: string): number {
  if (/(?:Z|[+-]\d{2}:\d{2})$/.test(text)) return Date.parse(text.replace(" ", "T"));
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text)!;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return instantOf(date, Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0), timeZone) + Number(m[6] ?? 0) * 1000;
}

/** One line per freeze for a check or a reply. */
export function describeFreeze(environment: string, f: ActiveFreeze): string {
  const ends = f.endsAt ? `ends ${f.endsAt.toISOString()}` : "until `/unfreeze`";
  const where = f.url ? ` ([record](${f.url}))` : "";
  return `${environment} is frozen: ${f.reason} — set by ${f.by} at ${f.since.toISOString()}, ${ends}${where}`;
}
