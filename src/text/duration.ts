// Durations as people write them in configuration and on the command line: `30m`, `1h30m`,
// `45s`, `2d`, `1w`. One definition, used by environment files (promotion soak) and the CLI
// (`kustodian metrics --since 30d`).

const units: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };
const pattern = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds in `text`, or undefined when it is not a duration such as `30m`, `1h30m` or `2d`. */
export function parseDuration(text: string): number | undefined {
  const m = pattern.exec(text.trim());
  if (!m || text.trim() === "") return undefined;
  const [w, d, h, min, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const seconds = w! * units.w! + d! * units.d! + h! * units.h! + min! * units.m! + s!;
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}

/** `18 min`, `1 h 5 min`, `2 d 3 h`, `40 s`: the two largest units, for people. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const parts: string[] = [];
  let rest = s;
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["min", 60],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n} ${unit}`);
    if (parts.length === 2) break;
  }
  return parts.filter((p) => !p.startsWith("0 ")).join(" ");
}
