import { createHash } from "node:crypto";

/** The git (SHA-1) object id of a blob holding `text` as UTF-8: what a tree lists for that file. */
export function gitBlobId(text: string): string {
  const bytes = Buffer.from(text, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

export interface BlobCacheLimits {
  /** Most blobs held. */
  maxEntries: number;
  /** Most bytes (UTF-8 size of the texts) held; a blob larger than this is never held. */
  maxBytes: number;
}

/**
 * Texts of git blobs by blob SHA, least recently used evicted first, bounded by entries and bytes.
 *
 * A blob SHA names its content, so an entry never goes stale and needs no invalidation. It is
 * also safe to share across installations: a reader can only ask for a SHA that its own tree
 * lists, which means it already has access to that exact content.
 */
export class BlobCache {
  readonly maxEntries: number;
  readonly maxBytes: number;
  #texts = new Map<string, { text: string; bytes: number }>();
  #bytes = 0;

  constructor(limits: BlobCacheLimits) {
    if (!(limits.maxEntries >= 0 && limits.maxBytes >= 0)) throw new RangeError("BlobCache limits must be non-negative");
    this.maxEntries = limits.maxEntries;
    this.maxBytes = limits.maxBytes;
  }

  get(sha: string): string | undefined {
    const entry = this.#texts.get(sha);
    if (entry === undefined) return undefined;
    // Re-insert to mark as most recently used (a Map iterates in insertion order).
    this.#texts.delete(sha);
    this.#texts.set(sha, entry);
    return entry.text;
  }

  set(sha: string, text: string): void {
    const bytes = Buffer.byteLength(text, "utf8");
    const existing = this.#texts.get(sha);
    if (existing !== undefined) {
      this.#texts.delete(sha);
      this.#bytes -= existing.bytes;
    }
    if (bytes > this.maxBytes || this.maxEntries === 0) return;
    this.#texts.set(sha, { text, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#texts) {
      if (this.#texts.size <= this.maxEntries && this.#bytes <= this.maxBytes) break;
      this.#texts.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  clear(): void {
    this.#texts.clear();
    this.#bytes = 0;
  }

  get size(): number {
    return this.#texts.size;
  }

  get bytes(): number {
    return this.#bytes;
  }
}

/**
 * The process-wide blob cache readFilesAt uses by default: at most 20,000 blobs and 64 MiB.
 * Environment files and overlays are a few KiB each, so this holds every version of them that a
 * busy installation touches in a day, and repeated events on a PR read no blob twice.
 */
export const blobCache = new BlobCache({ maxEntries: 20_000, maxBytes: 64 * 1024 * 1024 });
