import { parseImageReference, type ImageReference } from "./image-reference.ts";
import type { HeldImage } from "./schema.ts";

/**
 * Whether `image` is held by an entry. A held tag holds that tag of that repository (also when
 * the candidate pins a digest under that tag: the tag is what was reverted); a held digest holds
 * that digest whatever tag points at it. Repository names compare after Docker Hub
 * normalisation (`wordpress` = `docker.io/library/wordpress`).
 */
export function heldBy(held: readonly HeldImage[] | undefined, image: string): HeldImage | undefined {
  const candidate = parseImageReference(image);
  if (!candidate.ok) return undefined;
  return (held ?? []).find((entry) => {
    const h = parseImageReference(entry.image);
    return h.ok && holds(h.image, candidate.image);
  });
}

function holds(held: ImageReference, candidate: ImageReference): boolean {
  if (held.digest !== undefined) return candidate.digest === held.digest;
  return held.tag !== undefined && canonicalName(held.name) === canonicalName(candidate.name) && held.tag === candidate.tag;
}

export function canonicalName(name: string): string {
  const parts = name.split("/");
  const first = parts[0] ?? "";
  const hasRegistry = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry) return first === "index.docker.io" ? `docker.io/${parts.slice(1).join("/")}` : name;
  return parts.length === 1 ? `docker.io/library/${name}` : `docker.io/${name}`;
}

/** One line for people: why the image is held and which commits say so. */
export function describeHold(entry: HeldImage, env: string): string {
  const commits = [entry.revertedCommit ? `rollout of ${entry.revertedCommit.slice(0, 7)} failed` : "", entry.revertCommit ? `reverted in ${entry.revertCommit.slice(0, 7)}` : ""]
    .filter(Boolean)
    .join(", ");
  return `${entry.image} is held in ${env} since ${entry.since}: ${entry.reason}${commits ? ` (${commits})` : ""}. Lift it with \`/allow ${entry.image} ${env}\`.`;
}

/** The edit that appends a hold to an environment file (what a revert commit records). */
export function holdEdit(current: readonly HeldImage[] | undefined, entry: HeldImage): { path: (string | number)[]; value: unknown } {
  const value = Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined));
  return current?.length ? { path: ["held", current.length], value } : { path: ["held"], value: [value] };
}
