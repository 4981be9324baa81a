export interface ImageReference {
  /** Registry and repository: "docker.io/library/nginx" stays as written ("nginx"). */
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

/** Splits "registry:5000/app:1.2@sha256:…" into repository, tag and digest. */
export function imageReference(image: string): ImageReference {
  const at = image.indexOf("@");
  const named = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? undefined : image.slice(at + 1);
  // A colon after the last slash starts the tag; one before it belongs to a registry port.
  const colon = named.lastIndexOf(":");
  const tagged = colon > named.lastIndexOf("/");
  return {
    repository: tagged ? named.slice(0, colon) : named,
    tag: tagged ? named.slice(colon + 1) : undefined,
    digest,
  };
}

/** An image that may change under the same name: tag latest, or neither tag nor digest. */
export function isMutableImage(image: string): boolean {
  const reference = imageReference(image);
  if (reference.digest !== undefined) return false;
  return reference.tag === undefined || reference.tag === "latest";
}
