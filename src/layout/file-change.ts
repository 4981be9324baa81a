// One file of the repository changed: what the overlay generator proposes, what a revert writes
// back, what the GitHub adapter commits and the file-system snapshot applies.

export interface FileChange {
  /** Repository-relative path, e.g. `overlays/prod/kustomization.yaml`. */
  path: string;
  /** The text before; undefined: the file is new (or its old text is not needed). */
  before?: string;
  /** The new text; undefined: the file is deleted. */
  after?: string;
}
