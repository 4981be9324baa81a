// Container image references, parsed by the grammar of distribution/reference (what Docker,
// containerd and Kubernetes accept): [domain/]path[:tag][@digest].

export interface ImageReference {
  /** Everything before the tag and digest, e.g. `ghcr.io/acme/wordpress`. */
  name: string;
  tag?: string;
  digest?: string;
}

const pathComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const domain = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const digestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const sha256Digest = /^sha256:[a-f0-9]{64}$/;
const maxNameLength = 255;

export type ImageParseResult = { ok: true; image: ImageReference } | { ok: false; problem: string };

export function parseImageReference(ref: string): ImageParseResult {
  if (ref.length === 0) return { ok: false, problem: "an image reference is empty" };
  if (/\s/.test(ref)) return { ok: false, problem: "an image reference contains whitespace" };

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) return { ok: false, problem: `digest "${digest}" is not algorithm:hex` };
    if (digest.startsWith("sha256:") && !sha256Digest.test(digest)) {
      return { ok: false, problem: `digest "${digest}" is not sha256 followed by 64 lowercase hex digits` };
    }
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.indexOf(":", lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) return { ok: false, problem: `tag "${tag}" may hold only letters, digits, _ . - (at most 128, not starting with . or -)` };
  }

  if (rest.length === 0) return { ok: false, problem: "an image reference has no repository name" };
  if (rest.length > maxNameLength) return { ok: false, problem: `repository name is longer than ${maxNameLength} characters` };

  const parts = rest.split("/");
  // The first part is a registry host only if it looks like one (has . or :, or is localhost).
  const first = parts[0] ?? "";
  const hasDomain = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase());
  if (hasDomain && !domain.test(first)) return { ok: false, problem: `registry "${first}" is not a valid host[:port]` };
  for (const part of hasDomain ? parts.slice(1) : parts) {
    if (!pathComponent.test(part)) {
      return { ok: false, problem: `repository path component "${part}" must be lowercase letters and digits separated by . _ __ or -` };
    }
  }

  const image: ImageReference = { name: rest };
  if (tag !== undefined) image.tag = tag;
  if (digest !== undefined) image.digest = digest;
  return { ok: true, image };
}

export function formatImageReference(image: ImageReference): string {
  return `${image.name}${image.tag !== undefined ? `:${image.tag}` : ""}${image.digest !== undefined ? `@${image.digest}` : ""}`;
}
