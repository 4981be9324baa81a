// Lint: typescript-eslint's recommended rules plus the layering of src/ (../shared/DESIGN.md,
// "Boundaries in the code"): each folder of src/ may import only the folders listed for it below,
// so arrows point down only and the pure core reaches no adapter. Formatting is Prettier's.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const foundations = ["layout", "k8s", "clock", "log", "text", "config"];
const core = ["environments", "overlays", "plan", "commands", "health", "revert", "adopt", "delivery"];
const adapters = ["github", "cluster", "render", "repo", "kustomize"];
const flows = ["app", "rollout", "watch", "metrics"];
const entry = ["cli"];

/** What each folder of src/ may import (besides itself). */
const allowed = {
  // foundations: plain data and tiny helpers every layer shares
  k8s: [],
  clock: [],
  log: [],
  text: [],
  // the app config schema (.github/kustodian.yml): DESIGN.md lists the config schema as a foundation
  config: ["text"],
  layout: ["k8s", "text"],
  // pure core, lowest first: no cycles between them
  health: [...foundations],
  environments: [...foundations],
  overlays: [...foundations, "environments"],
  revert: [...foundations, "environments", "overlays"],
  // adopting a repository (kustodian init): lifting overlays into environment files
  adopt: [...foundations, "environments", "overlays"],
  plan: [...foundations, "environments", "overlays", "health"],
  commands: [...foundations, "environments", "overlays", "plan"],
  // promotion gates, freezes and delivery metrics: decisions over kustodian's own record
  delivery: [...foundations, "environments"],
  // adapters: effects; may use the core's pure functions and types
  render: [...foundations, ...core],
  kustomize: [...foundations, ...core, "render"],
  repo: [...foundations, ...core, "render", "kustomize"],
  github: [...foundations, ...core],
  cluster: [...foundations, ...core],
  // flows
  watch: [...foundations, ...core, ...adapters],
  metrics: [...foundations],
  rollout: [...foundations, ...core, ...adapters, "watch", "metrics"],
  app: [...foundations, ...core, ...adapters, "watch", "rollout", "metrics"],
  // entry points
  cli: [...foundations, ...core, ...adapters, "watch", "rollout"],
};

const everyFolder = [...foundations, ...core, ...adapters, ...flows, ...entry];

const layering = Object.entries(allowed).map(([folder, may]) => ({
  files: [`src/${folder}/**/*.ts`],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          {
            group: everyFolder.filter((f) => f !== folder && !may.includes(f)).map((f) => `../${f}/*`),
            message: `src/${folder}/ may import only ${may.length ? may.map((f) => `${f}/`).join(", ") : "nothing else in src/"} (layering: see src/README.md).`,
          },
          { group: ["../../test/*", "../../bench/*"], message: "src/ must not import tests, the simulator or benchmarks." },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ["node_modules/**", "base/**", "overlays/**", "environments/**", "test/fixtures/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        URL: "readonly",
        Buffer: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        fetch: "readonly",
        structuredClone: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        setImmediate: "readonly",
        queueMicrotask: "readonly",
        performance: "readonly",
        Response: "readonly",
        Request: "readonly",
        Headers: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  ...layering,
);
