import { parseArgs } from "node:util";
import { RenderError } from "../render/render-errors.ts";
import { configureRenderSandbox, type RenderSettings } from "../render/render-settings.ts";
import type { CliIo } from "./io.ts";
import { healthCommand } from "./health.ts";
import { listCommand } from "./list.ts";
import { planCommand } from "./plan.ts";
import { setCommand } from "./set.ts";
import { initCommand } from "./init.ts";
import { renderCommand } from "./render.ts";
import { metricsCommand } from "./metrics.ts";
import { contextsCommand } from "./contexts.ts";

const usage = `usage: kustodian <command> [options]

commands:
  init [--write]                  adopt an existing repository: find its overlays (and the Argo CD /
                                  Flux manifests that deploy them), propose environment files, and
                                  prove each build gives the same objects; --write writes the
                                  lossless ones; exit 1 listing whatever was not imported
  list [--format text|json]       every app's environments: file, overlay, workloads (name, kind, image)
  set image ENV WORKLOAD IMAGE [--app APP]
  set replicas ENV WORKLOAD N [--app APP]
                                  edit one workload of one environment file (as /promote and /scale
                                  do: comments survive) and regenerate that environment's overlay
  render [--env NAME] [--app APP] [--check] [--base REF]
                                  regenerate each environment's overlay from its environment file
                                  --check writes nothing and exits 1 if any overlay is stale;
                                  an image or replica edit made in a generated overlay since
                                  --base (default HEAD) is lifted into the environment file,
                                  any other edit there is refused
  plan --base REF [--head REF] [--format markdown|json] [--all]
                                  the rollout plan of HEAD (or --head) against REF, read from git;
                                  exits 1 when an environment is invalid or a finding is blocking;
                                  findings on workloads the change leaves alone are only counted
                                  (and do not block) unless --all
  render and plan also take the render sandbox's limits (defaults from KUSTODIAN_RENDER_*):
    --render-timeout SECONDS  --render-max-output MB  --render-concurrency N
  health (--file ROLLOUT.yaml | --namespace NS [--context CTX] [--kubeconfig PATH] [--sync argocd:NS/NAME|flux:NS/NAME])
         [--deployment NAME] [--merge-sha SHA] [--now TIME] [--slack SECONDS] [--format text|json]
                                  classify a recorded or live rollout as the watcher would;
                                  exit 0 Healthy, 1 Failed, 3 not decided yet
  contexts [--kubeconfig PATH | --known CTX,CTX]
                                  the kube context each environment names (sync.context),
                                  checked against the kubeconfig the app uses
                                  (default $KUBECONFIG, ~/.kube/config) or a list; exit 1 naming
                                  file:line of each context it lacks
  metrics [--since 30d] [--format markdown|json] [--repo OWNER/NAME] [--bot LOGIN] [--limit N]
                                  delivery metrics (DORA) per app and environment from kustodian's
                                  GitHub Deployments (GITHUB_TOKEN) and the git history here
  help                            this text
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "init": {
        const { values } = parseArgs({
          args: rest,
          options: { write: { type: "boolean", default: false }, ...renderSandboxOptions },
          strict: true,
        });
        configureRenderSandbox(renderSandboxSettings(values));
        return await initCommand(io, { write: values.write ?? false });
      }
      case "render": {
        const { values } = parseArgs({
          args: rest,
          options: {
            env: { type: "string" },
            app: { type: "string" },
            check: { type: "boolean", default: false },
            base: { type: "string" },
            ...renderSandboxOptions,
          },
          strict: true,
        });
        configureRenderSandbox(renderSandboxSettings(values));
        return await renderCommand(io, {
          check: values.check ?? false,
          ...(values.env !== undefined ? { env: values.env } : {}),
          ...(values.app !== undefined ? { app: values.app } : {}),
          ...(values.base !== undefined ? { base: values.base } : {}),
        });
      }
      case "list": {
        const { values } = parseArgs({ args: rest, options: { format: { type: "string", default: "text" } }, strict: true });
        if (values.format !== "text" && values.format !== "json") throw usageError(`--format must be text or json, got "${values.format}"`);
        return await listCommand(io, { format: values.format });
      }
      case "set": {
        const { values, positionals } = parseArgs({
          args: rest,
          options: { app: { type: "string" } },
          allowPositionals: true,
          strict: true,
        });
        const [what, env, workload, value, ...extra] = positionals;
        if ((what !== "image" && what !== "replicas") || !env || !workload || !value || extra.length)
          throw usageError("set takes: set image ENV WORKLOAD IMAGE, or set replicas ENV WORKLOAD N (and --app APP where apps share ENV)");
        return await setCommand(io, { what, env, workload, value, ...(values.app !== undefined ? { app: values.app } : {}) });
      }
      case "plan": {
        const { values } = parseArgs({
          args: rest,
          options: {
            base: { type: "string" },
            head: { type: "string", default: "HEAD" },
            format: { type: "string", default: "markdown" },
            all: { type: "boolean", default: false },
            ...renderSandboxOptions,
          },
          strict: true,
        });
        configureRenderSandbox(renderSandboxSettings(values));
        if (!values.base) throw usageError("plan needs --base REF (the branch or commit to compare with, e.g. --base origin/main)");
        if (values.format !== "markdown" && values.format !== "json")
          throw usageError(`--format must be markdown or json, got "${values.format}"`);
        return await planCommand(io, { base: values.base, head: values.head ?? "HEAD", format: values.format, all: values.all === true });
      }
      case "health": {
        const { values } = parseArgs({
          args: rest,
          options: {
            file: { type: "string" },
            kubeconfig: { type: "string" },
            context: { type: "string" },
            namespace: { type: "string" },
            deployment: { type: "string" },
            sync: { type: "string" },
            "merge-sha": { type: "string" },
            now: { type: "string" },
            slack: { type: "string" },
            format: { type: "string", default: "text" },
          },
          strict: true,
        });
        if (values.format !== "text" && values.format !== "json") throw usageError(`--format must be text or json, got "${values.format}"`);
        const slack = values.slack === undefined ? undefined : Number(values.slack);
        if (slack !== undefined && !(Number.isInteger(slack) && slack >= 0))
          throw usageError(`--slack must be a whole number of seconds, got "${values.slack}"`);
        const { format, slack: _slack, "merge-sha": mergeSha, ...given } = values;
        const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Record<string, string>;
        return await healthCommand(io, {
          ...defined,
          format,
          ...(mergeSha ? { mergeSha } : {}),
          ...(slack !== undefined ? { slackSeconds: slack } : {}),
        });
      }
      case "metrics": {
        const { values } = parseArgs({
          args: rest,
          options: {
            since: { type: "string", default: "30d" },
            format: { type: "string", default: "markdown" },
            repo: { type: "string" },
            bot: { type: "string", default: "kustodian[bot]" },
            limit: { type: "string", default: "1000" },
          },
          strict: true,
        });
        if (values.format !== "markdown" && values.format !== "json")
          throw usageError(`--format must be markdown or json, got "${values.format}"`);
        const limit = Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1) throw usageError(`--limit must be a whole number >= 1, got "${values.limit}"`);
        return await metricsCommand(io, {
          since: values.since ?? "30d",
          format: values.format,
          botLogin: values.bot ?? "kustodian[bot]",
          limit,
          token: process.env.GITHUB_TOKEN,
          ...(values.repo ? { repo: values.repo } : {}),
          ...(process.env.GITHUB_API_URL ? { baseUrl: process.env.GITHUB_API_URL } : {}),
        });
      }
      case "contexts": {
        const { values } = parseArgs({ args: rest, options: { kubeconfig: { type: "string" }, known: { type: "string" } }, strict: true });
        if (values.kubeconfig !== undefined && values.known !== undefined)
          throw usageError("contexts takes --kubeconfig or --known, not both");
        const known = values.known
          ?.split(",")
          .map((c) => c.trim())
          .filter(Boolean);
        return await contextsCommand(io, {
          env: process.env,
          ...(known ? { known } : {}),
          ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
        });
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(usage);
        return command === undefined ? 2 : 0;
      default:
        io.stderr.write(`kustodian: unknown command "${command}"\n\n${usage}`);
        return 2;
    }
  } catch (error) {
    const e = error as Error & { code?: string };
    if (e.code?.startsWith("ERR_PARSE_ARGS") || e.code === "KUSTODIAN_USAGE") {
      io.stderr.write(`kustodian: ${e.message}\n\n${usage}`);
      return 2;
    }
    io.stderr.write(`kustodian: ${error instanceof RenderError ? error.userMessage : e.message}\n`);
    return 1;
  }
}

const renderSandboxOptions = {
  "render-timeout": { type: "string" },
  "render-max-output": { type: "string" },
  "render-concurrency": { type: "string" },
} as const;

/** The --render-* flags given, as settings of the render sandbox (the rest keep their defaults). */
function renderSandboxSettings(values: {
  "render-timeout"?: string;
  "render-max-output"?: string;
  "render-concurrency"?: string;
}): Partial<RenderSettings> {
  const number = (flag: string, text: string | undefined, integer: boolean): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!(value > 0 && Number.isFinite(value)) || (integer && !Number.isInteger(value)))
      throw usageError(`--${flag} must be a ${integer ? "whole " : ""}number above 0, got "${text}"`);
    return value;
  };
  const seconds = number("render-timeout", values["render-timeout"], false);
  const megabytes = number("render-max-output", values["render-max-output"], false);
  const concurrency = number("render-concurrency", values["render-concurrency"], true);
  return {
    ...(seconds !== undefined ? { timeoutMs: Math.round(seconds * 1000) } : {}),
    ...(megabytes !== undefined ? { maxOutputBytes: Math.round(megabytes * 1024 * 1024) } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
  };
}

function usageError(message: string): Error {
  return Object.assign(new Error(message), { code: "KUSTODIAN_USAGE" });
}
