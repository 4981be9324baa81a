// The plan comment remembers, in a hidden line, the commit kustodian pushed to regenerate overlays
// and which environment files were stale. A later run at that same head (a re-delivered event, a
// re-requested check, `/plan`) finds the overlays current, and without this would edit the comment
// only to drop "The committed overlay was out of date" — a comment that changes for no change.
// The comment is read anyway (to edit it in place), so this costs no call.

export interface RegeneratedMarker {
  /** The commit kustodian pushed. */
  sha: string;
  /** Environment files whose overlays that commit regenerated. */
  files: string[];
}

const pattern = /<!-- kustodian:regenerated ([0-9a-f]{40}) ([^\s>]*) -->/;

export function regeneratedMarker(marker: RegeneratedMarker): string {
  return `<!-- kustodian:regenerated ${marker.sha} ${marker.files.map(encodeURIComponent).join(",")} -->`;
}

/** The marker in a comment body kustodian wrote, if any. */
export function readRegeneratedMarker(body: string | undefined): RegeneratedMarker | undefined {
  const m = body === undefined ? null : pattern.exec(body);
  if (!m) return undefined;
  const files = m[2] ? m[2].split(",").map((f) => decodeURIComponent(f)) : [];
  return { sha: m[1]!, files };
}

/**
 * Which environment files to show as "was out of date": the ones regenerated now, or, when nothing
 * was pushed, the ones the previous comment recorded for this very head.
 */
export function staleFilesToShow(input: {
  pushed: string | undefined;
  regeneratedNow: readonly string[];
  headSha: string;
  previous: string | undefined;
}): RegeneratedMarker | undefined {
  if (input.pushed) return input.regeneratedNow.length ? { sha: input.pushed, files: [...input.regeneratedNow] } : undefined;
  const recorded = readRegeneratedMarker(input.previous);
  return recorded && recorded.sha === input.headSha && recorded.files.length ? recorded : undefined;
}
