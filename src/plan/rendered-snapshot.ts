// A tree rendered environment by environment (src/repo/render-snapshot.ts makes one with kustomize):
// what the pure planner compares.
import type { FileProblem } from "../environments/problems.ts";
import type { EnvironmentFile } from "../environments/schema.ts";
import type { KubeObject } from "../k8s/manifest-types.ts";
import type { FileChange } from "../layout/file-change.ts";
import type { LiftedEdit } from "../overlays/lift-edits.ts";
import type { RepositoryLayout } from "../layout/layout.ts";

/** One environment of a tree, as kustodian would deploy it. */
export interface RenderedEnvironment {
  /** The environment's key (src/layout): `prod`, or `shop/prod` when the layout has several apps. */
  name: string;
  /** The app it belongs to (`default` without a layout file). */
  app?: string;
  file: string;
  /** The overlay directory. */
  overlay?: string;
  /** The app's bases. */
  bases?: readonly string[];
  /** The kube context the layout gives it (the environment file's own `sync.context` wins). */
  layoutContext?: string;
  env?: EnvironmentFile;
  /** Problems in the environment file; then there is nothing rendered. */
  problems: FileProblem[];
  objects?: KubeObject[];
  /** kustomize refused the overlay (or base/). */
  renderError?: string;
  /** The committed overlay differed from what the environment file generates. */
  staleOverlay: boolean;
  /** Image and replica edits made in the generated overlay, lifted into the environment file. */
  lifted?: LiftedEdit[];
  /** Not rendered: the change leaves its inputs as they are (src/repo/unchanged-environments.ts). */
  unchanged?: boolean;
}

export interface RenderedSnapshot {
  environments: Map<string, RenderedEnvironment>;
  /** What regenerating the overlays changes in the tree (what kustodian commits). */
  changes: FileChange[];
  /** Problems of environment files (or of the layout file); when there are any, kustodian commits nothing. */
  problems: FileProblem[];
  /** Image and replica edits made in generated overlays, lifted into environment files (part of `changes`). */
  lifted: LiftedEdit[];
  /** A base does not build. */
  baseError?: string;
  /** The layout the tree declares (the default one without a layout file). */
  layout?: RepositoryLayout;
}
