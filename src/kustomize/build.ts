// The old entry point of kustomize runs: everything now lives in src/render/ (the render sandbox).
// Kept as a re-export so that work in flight keeps compiling; import from src/render/ instead.
export { kustomizeBuild, renderManifests } from "../render/kustomize-build.ts";
export { KustomizeBuildError } from "../render/render-errors.ts";
export { parseManifests } from "../render/parse-manifests.ts";
