export interface LineEdit {
  op: "equal" | "delete" | "insert";
  line: string;
}

/** Past this many differing lines Myers' trace grows quadratically; the middle is then shown as replaced. */
const maxEditDistance = 2000;

/** Myers' O(ND) shortest edit script over lines, with common prefix and suffix taken off first. */
export function lineEdits(before: readonly string[], after: readonly string[]): LineEdit[] {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  const equal = (lines: readonly string[]) => lines.map((line): LineEdit => ({ op: "equal", line }));
  return [
    ...equal(before.slice(0, start)),
    ...middleEdits(before.slice(start, endBefore), after.slice(start, endAfter)),
    ...equal(before.slice(endBefore)),
  ];
}

function replaced(a: readonly string[], b: readonly string[]): LineEdit[] {
  return [...a.map((line): LineEdit => ({ op: "delete", line })), ...b.map((line): LineEdit => ({ op: "insert", line }))];
}

function middleEdits(a: readonly string[], b: readonly string[]): LineEdit[] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return replaced(a, b);
  const max = Math.min(n + m, maxEditDistance);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] holds v for diagonals -(d+1)..(d+1) as it was when step d began.
  const trace: Int32Array[] = [];
  const at = (snapshot: Int32Array, d: number, k: number) => snapshot[k + d + 1] ?? 0;
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0));
      let x = down ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, at);
    }
  }
  return replaced(a, b);
}

function backtrack(
  a: readonly string[],
  b: readonly string[],
  trace: Int32Array[],
  at: (snapshot: Int32Array, d: number, k: number) => number,
): LineEdit[] {
  const edits: LineEdit[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const snapshot = trace[d] ?? new Int32Array(0);
    const k = x - y;
    const down = k === -d || (k !== d && at(snapshot, d, k - 1) < at(snapshot, d, k + 1));
    const previousK = down ? k + 1 : k - 1;
    const previousX = at(snapshot, d, previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      edits.push({ op: "equal", line: a[x - 1] ?? "" });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === previousX) edits.push({ op: "insert", line: b[previousY] ?? "" });
      else edits.push({ op: "delete", line: a[previousX] ?? "" });
    }
    x = previousX;
    y = previousY;
  }
  return edits.reverse();
}

export interface UnifiedDiffOptions {
  fromFile: string;
  toFile: string;
  /** Unchanged lines shown around each change. */
  context?: number;
}

function range(start: number, count: number): string {
  // As diff -u writes it: an empty range names the line before it; a count of 1 is left out.
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}

/** A unified diff (diff -u) of two texts split into lines; empty when they are equal. */
export function unifiedDiff(before: readonly string[], after: readonly string[], options: UnifiedDiffOptions): string {
  const context = options.context ?? 3;
  const edits = lineEdits(before, after);
  const changed = edits.flatMap((edit, index) => (edit.op === "equal" ? [] : [index]));
  if (changed.length === 0) return "";
  const out = [`--- ${options.fromFile}`, `+++ ${options.toFile}`];
  let hunkStart = 0;
  while (hunkStart < changed.length) {
    // Changes separated by at most two contexts of unchanged lines share one hunk, as in diff -u.
    let hunkEnd = hunkStart;
    while (hunkEnd + 1 < changed.length && (changed[hunkEnd + 1] ?? 0) - (changed[hunkEnd] ?? 0) <= 2 * context + 1) hunkEnd++;
    const first = Math.max(0, (changed[hunkStart] ?? 0) - context);
    const last = Math.min(edits.length - 1, (changed[hunkEnd] ?? 0) + context);
    let lineBefore = 1;
    let lineAfter = 1;
    for (const edit of edits.slice(0, first)) {
      if (edit.op !== "insert") lineBefore++;
      if (edit.op !== "delete") lineAfter++;
    }
    const body = edits.slice(first, last + 1);
    const countBefore = body.filter((edit) => edit.op !== "insert").length;
    const countAfter = body.filter((edit) => edit.op !== "delete").length;
    out.push(`@@ -${range(lineBefore, countBefore)} +${range(lineAfter, countAfter)} @@`);
    for (const edit of body) out.push(`${edit.op === "equal" ? " " : edit.op === "delete" ? "-" : "+"}${edit.line}`);
    hunkStart = hunkEnd + 1;
  }
  return `${out.join("\n")}\n`;
}
