import { parseImageReference } from "../environments/image-reference.ts";

/**
 * An image that may change under the same name: tag latest, or neither tag nor digest.
 * Uses the same reference grammar as environment files; a reference that grammar rejects is
 * split leniently (a colon after the last slash starts the tag), since rendered manifests
 * may hold what Kubernetes accepts and the grammar does not (e.g. upper-case registries).
 */
export function isMutableImage(image: string): boolean {
  const parsed = parseImageReference(image);
  let tag: string | undefined;
  let digest: string | undefined;
  if (parsed.ok) {
    ({ tag, digest } = parsed.image);
  } else {
    const at = image.indexOf("@");
    const named = at === -1 ? image : image.slice(0, at);
    digest = at === -1 ? undefined : image.slice(at + 1);
    const colon = named.lastIndexOf(":");
    tag = colon > named.lastIndexOf("/") ? named.slice(colon + 1) : undefined;
  }
  if (digest !== undefined) return false;
  return tag === undefined || tag === "latest";
}
