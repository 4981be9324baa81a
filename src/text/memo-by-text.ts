// A pure function of a (large) text, computed once per distinct text: the same kustomization is
// read for the read rounds, the unchanged-environment digests, the render cache key and the
// sandbox's scan of every build. Bounded by the text bytes it keeps, least recently used out first.

export interface TextMemo<T> {
  (text: string): T;
  /** Forgets everything (benchmarks start cold). */
  clear(): void;
}

const everyMemo = new Set<TextMemo<unknown>>();

/** Forgets what every memo of the process holds (benchmarks start cold). */
export function clearTextMemos(): void {
  for (const memo of everyMemo) memo.clear();
}

/** `compute` memoised by its text argument, keeping at most `maxBytes` of keys (UTF-16 length x 2). */
export function memoByText<T>(compute: (text: string) => T, maxBytes: number): TextMemo<T> {
  const entries = new Map<string, T>();
  let bytes = 0;
  const memo = (text: string): T => {
    if (entries.has(text)) {
      const value = entries.get(text)!;
      entries.delete(text);
      entries.set(text, value);
      return value;
    }
    const value = compute(text);
    const size = text.length * 2;
    if (size > maxBytes) return value;
    entries.set(text, value);
    bytes += size;
    for (const oldest of entries.keys()) {
      if (bytes <= maxBytes) break;
      entries.delete(oldest);
      bytes -= oldest.length * 2;
    }
    return value;
  };
  memo.clear = () => {
    entries.clear();
    bytes = 0;
  };
  everyMemo.add(memo);
  return memo;
}
