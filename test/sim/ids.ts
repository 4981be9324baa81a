// Deterministic identifiers: uids, name suffixes, container ids and the pod-template hash.
// A seeded generator keeps every run of a test identical.

const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"; // k8s.io/apimachinery/pkg/util/rand

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

export class Ids {
  private readonly random: () => number;

  constructor(seed = 42) {
    this.random = mulberry32(seed);
  }

  hex(length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) out += Math.floor(this.random() * 16).toString(16);
    return out;
  }

  uid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** The 5-character suffix of generateName (pods of a ReplicaSet). */
  suffix(length = 5): string {
    let out = "";
    for (let i = 0; i < length; i++) out += SAFE_ALPHABET[Math.floor(this.random() * SAFE_ALPHABET.length)];
    return out;
  }
}

/** FNV-1a, 32 bit, as controller.ComputeHash uses. */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** rand.SafeEncodeString(fmt.Sprint(hash)): the pod-template-hash label value. */
export function safeEncode(value: number): string {
  return [...String(value)].map((ch) => SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length]).join("");
}
