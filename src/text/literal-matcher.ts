// Many literal strings found in a text in ONE pass (Aho-Corasick over the literals' first
// `prefixLength` characters, each candidate confirmed in place): masking every Secret value in a
// long plan stays linear in the text, however many Secrets there are, where one split/join per
// value was (values × text).

/** The automaton indexes this many leading characters of each literal; longer ones are confirmed with startsWith. */
const prefixLength = 64;

export class LiteralMatcher {
  readonly size: number;
  /** (state * 65536 + UTF-16 code unit) -> next state: one Map for the whole trie. */
  readonly #next = new Map<number, number>();
  readonly #fail: number[] = [0];
  readonly #depth: number[] = [0];
  /** Literals whose prefix ends at this state (longest first). */
  readonly #literals: (string[] | undefined)[] = [undefined];
  /** The nearest state on the fail chain (itself excluded) that ends a prefix, or 0. */
  readonly #output: number[] = [0];

  constructor(literals: Iterable<string>) {
    const unique = [...new Set(literals)].filter((l) => l.length > 0).sort((a, b) => b.length - a.length);
    this.size = unique.length;
    for (const literal of unique) {
      let state = 0;
      for (let i = 0; i < Math.min(literal.length, prefixLength); i++) {
        const key = state * 65536 + literal.charCodeAt(i);
        let next = this.#next.get(key);
        if (next === undefined) {
          next = this.#depth.length;
          this.#next.set(key, next);
          this.#depth.push(this.#depth[state]! + 1);
          this.#fail.push(0);
          this.#literals.push(undefined);
          this.#output.push(0);
        }
        state = next;
      }
      (this.#literals[state] ??= []).push(literal);
    }
    // Breadth first: a state's fail link is the longest proper suffix of its prefix that is in the trie.
    const children = new Map<number, [number, number][]>();
    for (const [key, child] of this.#next) {
      const parent = Math.floor(key / 65536);
      let list = children.get(parent);
      if (!list) children.set(parent, (list = []));
      list.push([key % 65536, child]);
    }
    const queue: number[] = [];
    for (const [, child] of children.get(0) ?? []) queue.push(child);
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (const [code, child] of children.get(state) ?? []) {
        let f = this.#fail[state]!;
        while (f !== 0 && !this.#next.has(f * 65536 + code)) f = this.#fail[f]!;
        const target = this.#next.get(f * 65536 + code);
        this.#fail[child] = target !== undefined && target !== child ? target : 0;
        const failed = this.#fail[child]!;
        this.#output[child] = this.#literals[failed] ? failed : this.#output[failed]!;
        queue.push(child);
      }
    }
  }

  /** Calls `found` for each prefix ending at each position with the literals that share it (longest first) and their start. */
  #scan(text: string, found: (start: number, literals: readonly string[]) => void): void {
    if (this.size === 0) return;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      let next = this.#next.get(state * 65536 + code);
      while (next === undefined && state !== 0) {
        state = this.#fail[state]!;
        next = this.#next.get(state * 65536 + code);
      }
      state = next ?? 0;
      // Each prefix ending here: at most prefixLength of them.
      for (let s = this.#literals[state] ? state : this.#output[state]!; s !== 0; s = this.#output[s]!)
        found(i + 1 - this.#depth[s]!, this.#literals[s]!);
    }
  }

  /** Whether `literal` (one sharing the prefix found at `start`) is really there. */
  static #at(text: string, literal: string, start: number): boolean {
    return literal.length <= prefixLength || text.startsWith(literal, start);
  }

  /** Every occurrence as [start, end) ranges, merged where they overlap or touch, in order. */
  ranges(text: string): [number, number][] {
    const found: [number, number][] = [];
    this.#scan(text, (start, literals) => {
      const literal = literals.find((l) => LiteralMatcher.#at(text, l, start));
      if (literal !== undefined) found.push([start, start + literal.length]);
    });
    found.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [start, end] of found) {
      const last = merged[merged.length - 1];
      if (last && start <= last[1]) last[1] = Math.max(last[1], end);
      else merged.push([start, end]);
    }
    return merged;
  }

  /** The literals that occur in `text`. */
  occurring(text: string): Set<string> {
    const out = new Set<string>();
    this.#scan(text, (start, literals) => {
      for (const l of literals) if (LiteralMatcher.#at(text, l, start)) out.add(l);
    });
    return out;
  }

  /** Whether any literal occurs in `text`. */
  occursIn(text: string): boolean {
    return this.ranges(text).length > 0;
  }

  /** `text` with every run of occurrences replaced by `marker` (one marker per run). */
  replace(text: string, marker: string): string {
    const ranges = this.ranges(text);
    if (ranges.length === 0) return text;
    let out = "";
    let at = 0;
    for (const [start, end] of ranges) {
      out += text.slice(at, start) + marker;
      at = end;
    }
    return out + text.slice(at);
  }
}
