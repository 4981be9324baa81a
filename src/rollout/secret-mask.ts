// What the after-merge side writes to GitHub (the rollout comments, a revert's commit message,
// the Deployment status descriptions) quotes the cluster: messages from Kubernetes events and
// container statuses, which an app can fill with its own config (a readiness probe's body, a
// termination message). Every such text is masked with the sensitive values of the environment
// rendered at the commits involved (src/plan/secret-values.ts), recomputed from the render each
// time (the render cache makes a second render a cache hit): the values are never stored.
import { maskedMarker } from "../plan/secret-masking.ts";
import { defaultSecretKeyWords, namesASecret, redact, sensitiveValues } from "../plan/secret-values.ts";
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

/**
 * The text with the value of every `key=value` / `key: value` pair whose key names a secret masked
 * (what can still be masked when the values themselves are unknown): the value up to the next
 * space, quote, comma or `|`. A key is a whole run of word characters, dots and dashes; a match
 * starts only where such a run starts, and a value is scanned again as a possible key, so the
 * scan is linear in the text (the messages quoted come from the cluster, which a merge's app
 * fills: a pattern with nested runs took 46 s on 10 KB of "password").
 */
function maskKeyedValues(text: string, words: readonly string[]): string {
  const pair = /(?<![\w.-])([\w.-]+)(["']?[ \t]*[:=][ \t]*["']?)([^\s"',|]+)/g;
  let out = "";
  let copied = 0;
  for (let m = pair.exec(text); m; m = pair.exec(text)) {
    const [whole, key = "", separator = ""] = m;
    if (namesASecret(key, words)) {
      out += text.slice(copied, m.index) + key + separator + maskedMarker;
      copied = m.index + whole.length;
    } else pair.lastIndex = m.index + key.length + separator.length; // `a=password=x`: the value may be a pair
  }
  return out + text.slice(copied);
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
  return {
    apply: (text) => maskKeyedValues(redact(text, values), words),
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
