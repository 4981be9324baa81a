// Wall-clock time in an IANA time zone, through Intl only (no time zone database of our own).
// Local times that do not exist (the hour skipped when clocks go forward) resolve to the instant
// after the gap, by the offset in force before it; local times that happen twice (clocks go back)
// resolve to the first of the two — Temporal's "compatible" disambiguation.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "short",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether Intl knows the zone (`Europe/Berlin`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  /** Minutes since local midnight. */
  minutes: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** The wall clock in `timeZone` at instant `ms`. */
export function localTimeAt(ms: number, timeZone: string): LocalTime & { second: number } {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    second: Number(parts.second),
    weekday: weekdays.indexOf(parts.weekday ?? ""),
  };
}

/** Local wall time as if it were UTC, in ms (for offset arithmetic). */
function wallMs(t: { year: number; month: number; day: number; minutes: number; second?: number }): number {
  return Date.UTC(t.year, t.month - 1, t.day, 0, t.minutes, t.second ?? 0);
}

function offsetAt(ms: number, timeZone: string): number {
  return wallMs(localTimeAt(ms, timeZone)) - Math.floor(ms / 1000) * 1000;
}

/** The instant of a local date and time in `timeZone` (see the header for gaps and repeats). */
export function instantOf(date: { year: number; month: number; day: number }, minutes: number, timeZone: string): number {
  const local = wallMs({ ...date, minutes });
  const before = offsetAt(local - 86_400_000, timeZone);
  const after = offsetAt(local + 86_400_000, timeZone);
  const candidates = [local - before, local - after].filter((t) => wallMs(localTimeAt(t, timeZone)) === local);
  return candidates.length ? Math.min(...candidates) : local - before;
}

/** The local date `days` after `date` (calendar arithmetic, no time zone involved). */
export function addDays(
  date: { year: number; month: number; day: number },
  days: number,
): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() };
}
