// Why a watch ended without a verdict. A watch resolves only with Healthy or Failed; anything
// else rejects with a WatchError whose `code` says what happened, so the orchestrator can mark
// the GitHub Deployment inactive/error instead of reverting.

export type WatchErrorCode =
  /** The sync never reported the merge SHA within syncTimeoutMs. */
  | "SyncTimeout"
  /** The GitOps controller applied another revision instead of (or after) this one. */
  | "Superseded"
  /** The sync applied the merge but a watched Deployment does not exist. */
  | "DeploymentNotFound"
  /** The target is malformed (e.g. a short SHA). */
  | "InvalidTarget"
  /** The watcher was closed. */
  | "Closed";

export class WatchError extends Error {
  readonly code: WatchErrorCode;
  /** Superseded: the revision the sync applied instead. */
  readonly revision: string | undefined;
  constructor(code: WatchErrorCode, message: string, options: { cause?: unknown; revision?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WatchError";
    this.code = code;
    this.revision = options.revision;
  }
}
