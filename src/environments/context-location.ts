// Where an environment file names its kube context, and what kustodian says when the kubeconfig
// it runs with has no such context (issue 13: "a context an environment names but the kubeconfig
// lacks"). Pure: the caller reads the file and knows the kubeconfig's contexts.
import { parseDocument } from "yaml";
import { keyOffset, positionOf } from "./locate.ts";

export interface ContextLocation {
  /** The context named (`sync.context`). */
  context: string;
  /** 1-based line of `sync.context` in the file. */
  line: number;
}

/** The `sync.context` an environment file names, and its line; undefined when it names none (or is no YAML map). */
export function contextLocation(text: string): ContextLocation | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return undefined;
  const context = doc.getIn(["sync", "context"]);
  if (typeof context !== "string" || context === "") return undefined;
  return { context, line: positionOf(text, keyOffset(doc, ["sync", "context"])).line };
}

/** "prod, staging" or "none". */
function listed(known: readonly string[]): string {
  return known.length > 0 ? known.join(", ") : "none";
}

/**
 * The problem of an environment that names a kube context the kubeconfig lacks: one line naming
 * the file, the line and the context, then what the kubeconfig has (`source` says which one).
 */
export function unknownContextMessage(input: {
  file: string;
  line: number | undefined;
  context: string;
  known: readonly string[];
  source?: string;
}): string {
  const where = input.line === undefined ? input.file : `${input.file}:${input.line}`;
  const kubeconfig = input.source ? `the kubeconfig (${input.source})` : "the kubeconfig";
  return `${where}: sync.context names kube context ${JSON.stringify(input.context)}, which ${kubeconfig} does not have (it has: ${listed(input.known)})`;
}

/** The same, short enough for a GitHub Deployment status (140 characters). */
export function unknownContextDescription(input: { file: string; line: number | undefined; context: string }): string {
  const where = input.line === undefined ? input.file : `${input.file}:${input.line}`;
  return `kube context ${JSON.stringify(input.context)} (${where} sync.context) is not one of kustodian's kube contexts`;
}
