// What the after-merge side writes to GitHub (the rollout comments, a revert's commit message,
// the Deployment status descriptions) quotes the cluster: messages from Kubernetes events and
// container statuses, which an app can fill with its own config (a readiness probe's body, a
// termination message). Every such text is masked with the sensitive values of the environment
// rendered at the commits involved (src/plan/secret-values.ts), recomputed from the render each
// time (the render cache makes a second render a cache hit): the values are never stored.
import { maskedMarker } from "../plan/secret-masking.ts";
import { defaultSecretKeyWords, redact, sensitiveValues } from "../plan/secret-values.ts";
import { renderEnvironmentAt, type EnvironmentRender } from "./environment-render.ts";
import type { RepoClient } from "./repo-client.ts";

/** A text as it may be sent to GitHub; `gap` says (in one sentence) which values could not be computed. */
export interface TextMask {
  apply(text: string): string;
  /** Undefined when every commit rendered; else the sentence the texts carry (README "Security model"). */
  gap: string | undefined;
}

/** Masks nothing: for callers that have no environment (tests of the pure parts). */
export const noMask: TextMask = { apply: (text) => text, gap: undefined };

const escaped = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * `key=value` / `key: value` pairs whose key names a secret, anywhere in a text (what can still be
 * masked when the values themselves are unknown): the value up to the next space, quote, comma or `|`.
 */
function keyedValues(words: readonly string[]): RegExp {
  const word = words.map(escaped).join("|");
  return new RegExp(`([\\w.-]*(?:${word})[\\w.-]*["']?[ \\t]*[:=][ \\t]*["']?)([^\\s"',|]+)`, "gi");
}

/**
 * The mask of these renders (pure): every sensitive value of the objects rendered (Secret values,
 * values under secret-named keys, with the repository's `words`), masked wherever it appears.
 * `failed` names the commits whose render failed: then values under a secret-named key are masked
 * in the text too (`password=…`, `API_TOKEN: …`), and `gap` says what was not known.
 */
export function textMaskOf(
  environment: string,
  renders: readonly { sha: string; render: EnvironmentRender }[],
  words: readonly string[] = defaultSecretKeyWords,
): TextMask {
  const objects = renders.flatMap((r) => (r.render.kind === "rendered" ? r.render.objects : []));
  const values = sensitiveValues(objects, words);
  const failed = renders.filter((r) => r.render.kind === "failed").map((r) => r.sha.slice(0, 7));
  if (failed.length === 0) return { apply: (text) => redact(text, values), gap: undefined };
  const keyed = keyedValues(words);
  return {
    apply: (text) => redact(text, values).replace(keyed, (_, key: string) => `${key}${maskedMarker}`),
    gap:
      `Secret values of ${environment} at ${failed.join(", ")} could not be computed (the render failed): ` +
      `quoted messages are masked only with the values of the other renders and where a key names a secret.`,
  };
}

/**
 * The mask of `environment` rendered at `shas` (the merge, the commit before it, and for a revert
 * the commit it restores and the merges it undoes): each distinct commit rendered once. Never
 * throws: a commit that cannot be read or rendered is a gap.
 */
export async function renderedTextMask(
  gh: RepoClient,
  input: {
    environment: string;
    shas: readonly string[];
    words: readonly string[];
    /** Renders of this one piece of work, shared by its masks (dropped with it). */
    renders?: Map<string, Promise<EnvironmentRender>>;
  },
): Promise<TextMask> {
  const shas = [...new Set(input.shas.filter(Boolean))];
  const memo = input.renders ?? new Map<string, Promise<EnvironmentRender>>();
  const renderOf = (sha: string) => {
    let render = memo.get(sha);
    // A commit that cannot be read or rendered is a gap, not an error: the texts still go out, masked with what is known.
    if (!render)
      memo.set(sha, (render = renderEnvironmentAt(gh, sha, input.environment).catch((): EnvironmentRender => ({ kind: "failed" }))));
    return render;
  };
  const renders = await Promise.all(shas.map(async (sha) => ({ sha, render: await renderOf(sha) })));
  return textMaskOf(input.environment, renders, input.words);
}
