// The ways a render ends without manifests, as typed errors. Each carries `userMessage`: what the
// pull request comment and check say, in words a user can act on (file and line where there is
// one; never the server's temp paths).

/** A render that did not produce manifests. */
export abstract class RenderError extends Error {
  /** For the PR comment, the check run and the CLI: what went wrong and where. */
  abstract readonly userMessage: string;
}

/** The kustomization asks for something the sandbox does not allow; kustomize was not run. */
export class RenderRefused extends RenderError {
  override name = "RenderRefused";
  /** Repository-relative path of the kustomization (or file) that asks for it. */
  readonly file: string;
  /** 1-based line of the entry, when known. */
  readonly line: number | undefined;
  /** The entry itself, as written. */
  readonly entry: string;
  /** Why it is refused, e.g. "remote resources are not allowed". */
  readonly reason: string;
  constructor(refusal: { file: string; line?: number | undefined; entry: string; reason: string }) {
    const where = refusal.line === undefined ? refusal.file : `${refusal.file}:${refusal.line}`;
    super(`${where}: ${refusal.reason}: ${refusal.entry}`);
    this.file = refusal.file;
    this.line = refusal.line;
    this.entry = refusal.entry;
    this.reason = refusal.reason;
  }
  get userMessage(): string {
    return `${this.message} (kustodian renders pull requests without network access, plugins or Helm, and only from files inside the repository)`;
  }
}

/** kustomize ran longer than the render timeout; its whole process group was killed. */
export class RenderTimedOut extends RenderError {
  override name = "RenderTimedOut";
  readonly target: string;
  readonly timeoutMs: number;
  constructor(target: string, timeoutMs: number) {
    super(`rendering ${target} took longer than ${formatSeconds(timeoutMs)} and was stopped`);
    this.target = target;
    this.timeoutMs = timeoutMs;
  }
  get userMessage(): string {
    return `${this.message}; make the kustomization smaller (fewer bases, fewer generated objects) or raise KUSTODIAN_RENDER_TIMEOUT_SECONDS on the server`;
  }
}

/** kustomize wrote more than the output cap; it was stopped. */
export class RenderOutputTooLarge extends RenderError {
  override name = "RenderOutputTooLarge";
  readonly target: string;
  readonly maxBytes: number;
  constructor(target: string, maxBytes: number) {
    super(`rendering ${target} produced more than ${formatBytes(maxBytes)} of manifests and was stopped`);
    this.target = target;
    this.maxBytes = maxBytes;
  }
  get userMessage(): string {
    return `${this.message}; large generated ConfigMaps or Secrets are the usual cause (or raise KUSTODIAN_RENDER_MAX_OUTPUT_MB on the server)`;
  }
}

/** kustomize itself refused the kustomization (exit status not 0). */
export class KustomizeBuildError extends RenderError {
  override name = "KustomizeBuildError";
  /** The directory kustomize was asked to build, as given (repository-relative when known). */
  readonly dir: string;
  /** kustomize's own message, with the sandbox's paths made repository-relative. */
  readonly stderr: string;
  constructor(dir: string, stderr: string) {
    super(`kustomize could not build ${dir}: ${stderr.trim()}`);
    this.dir = dir;
    this.stderr = stderr;
  }
  get userMessage(): string {
    return this.stderr.trim();
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function formatBytes(bytes: number): string {
  const mb = 1024 * 1024;
  if (bytes >= mb && bytes % mb === 0) return `${bytes / mb} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} kB`;
  return `${bytes} bytes`;
}
