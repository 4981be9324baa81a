// A cache of kustomize renders keyed by content. A push and its pull request are rendered several
// times (the plan comment, the check, the merge watch, /commands), mostly on trees where the
// rendered files did not change; the renders are the expensive part (a kustomize process each).
// The key is a hash of every (relative path, bytes) of the materialised tree plus the directory
// built, so a hit is the output kustomize would print for those same bytes. It is a layer above
// whatever runs kustomize (the render function is passed in), bounded by the bytes it holds and
// evicting the least recently used. Failures are cached too (same bytes, same error).
//
// Trees are materialised in scratch directories whose names differ on every render; the cache
// stores outputs and errors with that directory replaced by a placeholder and puts the current
// one back on every hit, so messages name the directory of the render that asked.
import { createHash } from "node:crypto";

/** Runs kustomize (or anything else that renders) on an absolute directory. */
export type RenderDirectory = (dir: string) => Promise<string>;

/** A tree on disk (`root`) and the digest of its content (treeDigest, or a git tree id). */
export interface MaterialisedTree {
  root: string;
  digest: string;
}

export type CachedRender = { ok: true; output: string } | { ok: false; error: unknown };

export interface RenderCacheOptions {
  /** What else decides the outcome besides the bytes (e.g. the output cap in force); part of the key. */
  variant?: string;
  /** Whether a failure follows from the bytes (cached) or from the moment (a timeout: not cached). Default: all are. */
  cacheable?: (error: unknown) => boolean;
}

/** Hash of every (relative path, bytes) of a tree, independent of the order they come in. */
export function treeDigest(files: Iterable<readonly [string, string | Uint8Array]>): string {
  const sorted = [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash("sha256");
  for (const [path, bytes] of sorted) {
    const data = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes;
    hash.update(`${path}\0${data.byteLength}\0`);
    hash.update(data);
  }
  return hash.digest("hex");
}

const placeholder = "\u0000kustodian-render-root\u0000";

interface Entry {
  value: CachedRender;
  bytes: number;
}

export interface RenderCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

export class RenderCache {
  readonly maxBytes: number;
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, { root: string; rendering: Promise<CachedRender> }>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;

  constructor(options: { maxBytes: number }) {
    this.maxBytes = options.maxBytes;
  }

  /** The key of one directory (relative to the tree's root, / separators) of a tree. */
  static key(tree: MaterialisedTree, dir: string, variant = ""): string {
    return createHash("sha256").update(`${tree.digest}\0${dir}\0${variant}`).digest("hex");
  }

  /**
   * kustomize's output for `dir` (relative to `tree.root`), rendering it with `render` unless the
   * same bytes were rendered before; throws what the render threw. Concurrent asks for the same
   * key share one render.
   */
  async render(tree: MaterialisedTree, dir: string, render: RenderDirectory, options: RenderCacheOptions = {}): Promise<string> {
    const result = await this.renderResult(
      tree,
      dir,
      () =>
        render(dir === "" || dir === "." ? tree.root : `${tree.root}/${dir}`).then(
          (output): CachedRender => ({ ok: true, output }),
          (error: unknown): CachedRender => ({ ok: false, error }),
        ),
      options,
    );
    if (!result.ok) throw result.error;
    return result.output;
  }

  /** As render(), for a renderer that reports failure as a value instead of throwing. */
  async renderResult(
    tree: MaterialisedTree,
    dir: string,
    render: () => Promise<CachedRender>,
    options: RenderCacheOptions = {},
  ): Promise<CachedRender> {
    const key = RenderCache.key(tree, dir, options.variant);
    const hit = this.#peek(key, tree.root);
    const pending = this.#pending.get(key);
    if (hit || pending) this.#hits++;
    if (hit) return hit;
    if (pending) return relocate(await pending.rendering, pending.root, tree.root);
    this.#misses++;
    const rendering = render();
    this.#pending.set(key, { root: tree.root, rendering });
    try {
      const value = await rendering;
      if (value.ok || (options.cacheable?.(value.error) ?? true)) this.store(key, tree.root, value);
      return value;
    } finally {
      this.#pending.delete(key);
    }
  }

  /** The cached render of a key, with `root` put back into it (counts a hit or a miss). For synchronous renderers. */
  lookup(key: string, root: string): CachedRender | undefined {
    const hit = this.#peek(key, root);
    if (hit) this.#hits++;
    else this.#misses++;
    return hit;
  }

  #peek(key: string, root: string): CachedRender | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return relocate(entry.value, placeholder, root);
  }

  /** Caches the render of a key made in `root`. For synchronous renderers; see lookup(). */
  store(key: string, root: string, value: CachedRender): void {
    const stored = relocate(value, root, placeholder);
    const bytes = sizeOf(stored);
    const old = this.#entries.get(key);
    if (old) {
      this.#entries.delete(key);
      this.#bytes -= old.bytes;
    }
    if (bytes > this.maxBytes) return;
    this.#entries.set(key, { value: stored, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  stats(): RenderCacheStats {
    return { hits: this.#hits, misses: this.#misses, entries: this.#entries.size, bytes: this.#bytes };
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
    this.#hits = 0;
    this.#misses = 0;
  }
}

function sizeOf(value: CachedRender): number {
  if (value.ok) return Buffer.byteLength(value.output);
  const error = value.error;
  if (error instanceof Error) return Buffer.byteLength(`${error.message}${error.stack ?? ""}`) + 256;
  return Buffer.byteLength(String(error)) + 256;
}

/** The render with every occurrence of `from` replaced by `to` (errors: a copy, same class, each string property). */
function relocate(value: CachedRender, from: string, to: string): CachedRender {
  if (from === to || from === "") return value;
  if (value.ok) return value.output.includes(from) ? { ok: true, output: value.output.replaceAll(from, to) } : value;
  const error = value.error;
  if (typeof error === "string") return { ok: false, error: error.replaceAll(from, to) };
  if (typeof error !== "object" || error === null) return value;
  const copy = Object.create(Object.getPrototypeOf(error) as object | null) as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(error)) {
    const v = (error as Record<string, unknown>)[name];
    Object.defineProperty(copy, name, {
      value: typeof v === "string" ? v.replaceAll(from, to) : v,
      writable: true,
      configurable: true,
      enumerable: Object.prototype.propertyIsEnumerable.call(error, name),
    });
  }
  return { ok: false, error: copy };
}

/**
 * The process's render cache: 64 MiB of rendered YAML (a rendered environment is typically tens
 * of kilobytes, so thousands of renders).
 */
export const renderCache = new RenderCache({ maxBytes: 64 * 1024 * 1024 });
